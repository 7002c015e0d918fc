package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// viewerBuffer is the UDP receive buffer each viewer asks for. The kernel
// caps it at net.core.rmem_max; keyframe bursts to many viewers overflow
// a small one, and such drops would be the tool's, not the gateway's.
const viewerBuffer = 8 << 20

// viewer is one WHEP receiver of one camera: a pion peer connection on
// its own loopback UDP socket that reads the vigilbench SEI of every frame.
type viewer struct {
	camera   int
	pc       *webrtc.PeerConnection
	udp      *stampConn
	resource string // the WHEP session URL, for DELETE
	token    string
	offered  time.Time
	answered time.Time // the WHEP answer came back
	meter    *meter
	// connected is when the peer connection came up (ICE and DTLS).
	connected atomic.Int64

	mu sync.Mutex
	st viewerStats
}

// viewerStats are one viewer's counts; meter.window decides which frames
// count.
type viewerStats struct {
	firstKey    time.Time // first complete IDR with its parameter sets
	frames      int       // frames counted in the window
	lost        uint64    // frames missing by the SEI counter, in the window
	damaged     int       // frames with missing packets, in the window
	untagged    int       // frames without a vigilbench SEI
	untaggedRun uint64    // untagged since the last tagged frame: a counter gap they fill is no loss
	lastFrame   uint64
	haveLast    bool
	latencies   []time.Duration // this window's samples, taken by the meter
	keyLat      []time.Duration // the keyframes' among them
	added       []time.Duration // the gateway's share, against the baseline
}

// newViewerAPI builds a pion API for one receiver bound to udp: loopback
// candidates only, the default interceptors a browser also runs (NACK,
// receiver reports).
func newViewerAPI(udp net.PacketConn) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, reg); err != nil {
		return nil, err
	}
	quiet := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelDisabled}
	se := webrtc.SettingEngine{LoggerFactory: quiet}
	se.SetICEUDPMux(webrtc.NewICEUDPMux(quiet.NewLogger("udpmux"), udp))
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// openViewer creates the peer connection, posts its offer to whepURL and
// applies the answer. Frames are read until close.
func openViewer(ctx context.Context, whepURL, token string, camera int, m *meter) (*viewer, error) {
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	_ = udp.SetReadBuffer(viewerBuffer)
	sc := newStampConn(udp)
	api, err := newViewerAPI(sc)
	if err != nil {
		udp.Close()
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		udp.Close()
		return nil, err
	}
	v := &viewer{camera: camera, pc: pc, udp: sc, token: token, meter: m}
	if err := v.negotiate(ctx, whepURL); err != nil {
		v.close()
		return nil, err
	}
	return v, nil
}

func (v *viewer) negotiate(ctx context.Context, whepURL string) error {
	if _, err := v.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		return err
	}
	v.pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			v.connected.CompareAndSwap(0, time.Now().UnixNano())
		}
	})
	var once sync.Once
	v.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		once.Do(func() { go v.read(track) })
	})
	offer, err := v.pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(v.pc)
	if err := v.pc.SetLocalDescription(offer); err != nil {
		return err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return ctx.Err()
	}
	v.offered = time.Now()
	answer, location, err := postOffer(ctx, whepURL, v.token, v.pc.LocalDescription().SDP)
	if err != nil {
		return err
	}
	v.resource, v.answered = location, time.Now()
	return v.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
}

// postOffer is the WHEP POST: offer in, answer and session URL out.
func postOffer(ctx context.Context, whepURL, token, offer string) (answer, location string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, whepURL, strings.NewReader(offer))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/sdp")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("WHEP %s: %s %s", whepURL, resp.Status, bytes.TrimSpace(body))
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		if u, err := resp.Request.URL.Parse(loc); err == nil {
			location = u.String()
		}
	}
	return string(body), location, nil
}

// close ends the WHEP session (DELETE, best effort) and the peer.
func (v *viewer) close() {
	if v.resource != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if req, err := http.NewRequestWithContext(ctx, http.MethodDelete, v.resource, nil); err == nil {
			if v.token != "" {
				req.Header.Set("Authorization", "Bearer "+v.token)
			}
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		cancel()
	}
	v.pc.Close()
	v.udp.Close()
}

// firstKey returns the time of the first complete IDR, or zero.
func (v *viewer) firstKeyAt() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.st.firstKey
}

// take returns and resets the window's counts.
func (v *viewer) take() viewerStats {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.st
	v.st.frames, v.st.lost, v.st.damaged, v.st.untagged = 0, 0, 0, 0
	v.st.latencies, v.st.keyLat, v.st.added = nil, nil, nil
	return st
}

// read reassembles frames from RTP: a frame ends at its marker bit (or
// when the timestamp moves on without one).
func (v *viewer) read(track *webrtc.TrackRemote) {
	buf := make([]byte, 1600)
	var (
		pkt     rtp.Packet
		fr      frameScan
		lastSeq uint16
		haveSeq bool
	)
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil || len(pkt.Payload) == 0 {
			continue
		}
		if haveSeq {
			d := int16(pkt.SequenceNumber - lastSeq)
			if d <= 0 {
				continue // a late retransmission or duplicate
			}
			if d > 1 {
				fr.gap = true
			}
		}
		lastSeq, haveSeq = pkt.SequenceNumber, true
		now := time.Now()
		if fr.started && pkt.Timestamp != fr.ts {
			v.frameDone(&fr, v.arrival(fr.ts, now))
			fr.gap = true // its marker went missing: the new frame started mid-way
		}
		if !fr.started {
			fr.started, fr.ts = true, pkt.Timestamp
		}
		fr.scan(pkt.Payload)
		if pkt.Marker {
			v.frameDone(&fr, v.arrival(fr.ts, now))
		}
	}
}

// arrival is when the frame's last packet reached the socket (the
// kernel's time) and when this process read it; now when unknown.
func (v *viewer) arrival(ts uint32, now time.Time) frameArrival {
	if a, ok := v.udp.arrived(ts); ok && a.at.Before(now) {
		return a
	}
	return frameArrival{ts: ts, at: now, read: now}
}

// frameDone accounts one received frame and resets fr.
func (v *viewer) frameDone(fr *frameScan, a frameArrival) {
	now := a.at
	defer fr.reset()
	v.mu.Lock()
	defer v.mu.Unlock()
	st := &v.st
	if st.firstKey.IsZero() {
		if !fr.idr || !fr.sps || !fr.pps || fr.gap {
			return // a decoder cannot start here
		}
		st.firstKey = now
	}
	counting := v.meter.counting() && now.Sub(st.firstKey) >= v.meter.warmup
	if !fr.tagged {
		st.untaggedRun++
		if counting {
			st.untagged++
		}
		return
	}
	t := fr.tag
	if st.haveLast && t.Frame > st.lastFrame+1+st.untaggedRun && counting {
		st.lost += t.Frame - st.lastFrame - 1 - st.untaggedRun
	}
	st.untaggedRun = 0
	if !st.haveLast || t.Frame > st.lastFrame {
		st.lastFrame, st.haveLast = t.Frame, true
	}
	if counting {
		st.frames++
		st.latencies = append(st.latencies, now.Sub(t.Sent))
		if fr.idr {
			st.keyLat = append(st.keyLat, now.Sub(t.Sent))
		}
		// Against the direct pull's read time: both are when a goroutine
		// of this process read the last bytes.
		if d, ok := v.meter.base.added(t.Camera, t.Frame, a.read); ok {
			st.added = append(st.added, d)
		}
		if fr.gap {
			st.damaged++
		}
	}
}

// frameScan is what the depacketizer learned of the frame so far: its NAL
// unit types and the SEI. It parses RTP payloads (RFC 6184 single NAL,
// STAP-A, FU-A) without reassembling the picture.
type frameScan struct {
	started       bool
	ts            uint32
	gap           bool
	idr, sps, pps bool
	tagged        bool
	tag           frameTag
	fragSEI       []byte // an SEI split into FU-A fragments, being collected
}

func (f *frameScan) reset() {
	frag := f.fragSEI[:0]
	*f = frameScan{fragSEI: frag}
}

func (f *frameScan) scan(p []byte) {
	switch t := p[0] & nalTypeMask; {
	case t >= 1 && t < nalTypeSTAPA:
		f.nal(t, p)
	case t == nalTypeSTAPA:
		for rest := p[1:]; len(rest) >= 2; {
			size := int(rest[0])<<8 | int(rest[1])
			if size == 0 || size > len(rest)-2 {
				return
			}
			nalu := rest[2 : 2+size]
			f.nal(nalu[0]&nalTypeMask, nalu)
			rest = rest[2+size:]
		}
	case t == nalTypeFUA && len(p) >= 2:
		f.fragment(p)
	}
}

func (f *frameScan) fragment(p []byte) {
	t := p[1] & nalTypeMask
	if p[1]&fuStartBit != 0 {
		f.nal(t, nil)
		f.fragSEI = f.fragSEI[:0]
		if t == seiTypeNAL {
			f.fragSEI = append(f.fragSEI, p[0]&0xe0|t)
		}
	}
	if t != seiTypeNAL || len(f.fragSEI) == 0 {
		return
	}
	f.fragSEI = append(f.fragSEI, p[2:]...)
	if p[1]&fuEndBit != 0 {
		f.nal(t, f.fragSEI)
		f.fragSEI = f.fragSEI[:0]
	}
}

// nal records one NAL unit; data is nil for the start of a fragmented one.
func (f *frameScan) nal(t byte, data []byte) {
	switch t {
	case nalTypeIDR:
		f.idr = true
	case nalTypeSPS:
		f.sps = true
	case nalTypePPS:
		f.pps = true
	case seiTypeNAL:
		if data == nil || f.tagged {
			return
		}
		if tag, err := parseSEI(data); err == nil {
			f.tag, f.tagged = tag, true
		}
	}
}

var errNoFirstFrame = errors.New("no complete keyframe")

// waitFirstKey waits until the viewer has shown its first keyframe.
func (v *viewer) waitFirstKey(ctx context.Context) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for v.firstKeyAt().IsZero() {
		select {
		case <-t.C:
		case <-ctx.Done():
			return fmt.Errorf("camera %d: %w: %v", v.camera, errNoFirstFrame, ctx.Err())
		}
	}
	return nil
}

// whepURL fills the {cam} placeholder of a URL template.
func whepURL(template, camera string) string {
	return strings.ReplaceAll(template, "{cam}", url.PathEscape(camera))
}
