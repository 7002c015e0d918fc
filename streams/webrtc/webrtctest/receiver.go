// Package webrtctest is a real pion WebRTC viewer for tests and
// benchmarks: it offers recvonly video tracks, receives RTP, reassembles
// H.264 access units and reports them frame by frame.
package webrtctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// receiveBuffer is the socket buffer asked for (capped by net.core.rmem_max).
const receiveBuffer = 8 << 20

// Frame is one received access unit.
type Frame struct {
	Track     int
	Timestamp uint32
	Arrived   time.Time
	NALUs     [][]byte
	// Gap is true when packets were missing before or inside this frame.
	Gap bool
}

// NALTypes lists the H.264 NAL unit types of the frame.
func (f Frame) NALTypes() []uint8 {
	out := make([]uint8, len(f.NALUs))
	for i, n := range f.NALUs {
		out[i] = n[0] & 0x1f
	}
	return out
}

// Has reports whether the frame holds a NAL unit of type t.
func (f Frame) Has(t uint8) bool {
	for _, n := range f.NALUs {
		if n[0]&0x1f == t {
			return true
		}
	}
	return false
}

// IsKey reports an IDR frame that carries its own SPS and PPS, i.e. one a
// decoder can start from.
func (f Frame) IsKey() bool { return f.Has(5) && f.Has(7) && f.Has(8) }

// Receiver is a pion peer connection with n recvonly video transceivers.
type Receiver struct {
	pc     *webrtc.PeerConnection
	udp    net.PacketConn
	frames chan Frame
	wg     sync.WaitGroup
}

// NewReceiver creates the peer connection and returns its offer, with all
// candidates gathered (loopback only).
func NewReceiver(n int) (*Receiver, string, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		return nil, "", err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, reg); err != nil {
		return nil, "", err
	}
	// Keyframe bursts arrive faster than a default socket buffer drains
	// under -race: a large buffer keeps drops the test's own from being
	// blamed on the gateway.
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, "", err
	}
	_ = udp.SetReadBuffer(receiveBuffer)
	quiet := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelDisabled}
	se := webrtc.SettingEngine{LoggerFactory: quiet}
	se.SetICEUDPMux(webrtc.NewICEUDPMux(quiet.NewLogger("udpmux"), udp))
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		udp.Close()
		return nil, "", err
	}
	r := &Receiver{pc: pc, udp: udp, frames: make(chan Frame, 4096)}
	for i := 0; i < n; i++ {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			r.Close()
			return nil, "", err
		}
	}
	pc.OnTrack(r.onTrack)
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		r.Close()
		return nil, "", err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		r.Close()
		return nil, "", err
	}
	<-gathered
	return r, pc.LocalDescription().SDP, nil
}

// Accept applies the gateway's answer.
func (r *Receiver) Accept(answer string) error {
	return r.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
}

// Frames delivers every received frame of every track.
func (r *Receiver) Frames() <-chan Frame { return r.frames }

// Next waits for the next frame of track i.
func (r *Receiver) Next(ctx context.Context, i int) (Frame, error) {
	for {
		select {
		case f := <-r.frames:
			if f.Track == i {
				return f, nil
			}
		case <-ctx.Done():
			return Frame{}, fmt.Errorf("waiting for a frame on track %d: %w", i, ctx.Err())
		}
	}
}

// SendPLI asks the sender of track i for a keyframe.
func (r *Receiver) SendPLI(i int) error {
	trs := r.pc.GetTransceivers()
	if i >= len(trs) || trs[i].Receiver() == nil || trs[i].Receiver().Track() == nil {
		return errors.New("webrtctest: no such track")
	}
	ssrc := uint32(trs[i].Receiver().Track().SSRC())
	return r.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
}

// ConnectionState returns the peer connection's state.
func (r *Receiver) ConnectionState() webrtc.PeerConnectionState { return r.pc.ConnectionState() }

// Close closes the peer connection and waits for the track readers.
func (r *Receiver) Close() {
	r.pc.Close()
	r.wg.Wait()
	r.udp.Close()
}

func (r *Receiver) onTrack(track *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	index := -1
	for i, t := range r.pc.GetTransceivers() {
		if t.Receiver() == recv {
			index = i
		}
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.readTrack(index, track)
	}()
}

// readTrack reassembles access units: packets up to the marker bit.
func (r *Receiver) readTrack(index int, track *webrtc.TrackRemote) {
	var (
		depack  codecs.H264Packet
		annexB  []byte
		lastSeq uint16
		haveSeq bool
		gap     bool
	)
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		if haveSeq && pkt.SequenceNumber != lastSeq+1 {
			gap = true
		}
		lastSeq, haveSeq = pkt.SequenceNumber, true
		data, err := depack.Unmarshal(pkt.Payload)
		if err != nil {
			gap = true
			continue
		}
		annexB = append(annexB, data...)
		if !pkt.Marker {
			continue
		}
		f := Frame{Track: index, Timestamp: pkt.Timestamp, Arrived: time.Now(), NALUs: splitAnnexB(annexB), Gap: gap}
		annexB, gap = nil, false
		select {
		case r.frames <- f:
		default: // the test is not reading; never block the track
		}
	}
}

func splitAnnexB(b []byte) [][]byte {
	var out [][]byte
	for _, part := range bytes.Split(b, []byte{0, 0, 1}) {
		part = bytes.TrimRight(part, "\x00")
		if len(part) > 0 {
			out = append(out, part)
		}
	}
	return out
}
