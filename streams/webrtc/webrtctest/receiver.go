// Package webrtctest is a real pion WebRTC viewer for tests and
// benchmarks: it offers recvonly video (and audio) tracks, receives RTP,
// reassembles H.264 or H.265 access units and audio packets and reports
// them frame by frame.
package webrtctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// Frame is one received access unit (or audio packet).
type Frame struct {
	Track int
	// Codec is the track's MIME type, e.g. "video/H264" or "audio/opus".
	Codec     string
	Timestamp uint32
	Arrived   time.Time
	NALUs     [][]byte
	// Gap is true when packets were missing before or inside this frame.
	Gap bool
	// FirstSeq and LastSeq are the RTP sequence numbers of its first and
	// last packets.
	FirstSeq, LastSeq uint16
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
// decoder can start from (H.264; see IsKeyH265).
func (f Frame) IsKey() bool { return f.Has(5) && f.Has(7) && f.Has(8) }

// H265Types lists the H.265 NAL unit types of the frame.
func (f Frame) H265Types() []uint8 {
	out := make([]uint8, len(f.NALUs))
	for i, n := range f.NALUs {
		out[i] = (n[0] >> 1) & 0x3f
	}
	return out
}

// IsKeyH265 reports a random-access H.265 picture with VPS, SPS and PPS.
func (f Frame) IsKeyH265() bool {
	var vps, sps, pps, irap bool
	for _, t := range f.H265Types() {
		vps, sps, pps = vps || t == 32, sps || t == 33, pps || t == 34
		irap = irap || (t >= 16 && t <= 23)
	}
	return vps && sps && pps && irap
}

// Receiver is a pion peer connection with n recvonly video transceivers.
type Receiver struct {
	pc     *webrtc.PeerConnection
	udp    *net.UDPConn
	frames chan Frame

	// mu orders track readers starting against Close: pion calls OnTrack
	// on a goroutine of its own that may run while or after Close waits,
	// and a WaitGroup must not be added to while it is waited on.
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup

	missing   atomic.Uint64 // RTP sequence numbers skipped, all tracks
	overruns  atomic.Uint64 // packets dropped by full queues inside pion
	malformed atomic.Uint64 // payloads the depacketizer refused
	truncated atomic.Uint64 // pictures cut short by the next one (see Truncated)

	repeated, repeatedWrong atomic.Uint64 // see Repeats
	again                   repeatedSeqs  // see NotRepeated

	reports senderReports // see SenderReport
}

// Options choose what a receiver offers.
type Options struct {
	Videos int  // recvonly video transceivers
	H265   bool // offer H.265 beside H.264, as browsers with an H.265 decoder do
	Audio  bool // one recvonly audio transceiver after the videos (Opus, PCMU, PCMA)
}

// NewReceiver creates a peer connection with n video transceivers that
// offer H.264 only, like Chromium on Linux, and returns its offer.
func NewReceiver(n int) (*Receiver, string, error) {
	return New(Options{Videos: n})
}

// New creates the peer connection and returns its offer, with all
// candidates gathered (loopback only).
func New(o Options) (*Receiver, string, error) {
	me, err := mediaEngine(o)
	if err != nil {
		return nil, "", err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, reg); err != nil {
		return nil, "", err
	}
	// Keyframe bursts arrive faster than a default socket buffer drains
	// under -race: large buffers keep the test's own drops rare, and Loss
	// counts the rest so they are not blamed on the gateway.
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, "", err
	}
	enlargeSocketBuffer(udp)
	r := &Receiver{udp: udp, frames: make(chan Frame, 4096)}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(r.settings(udp)))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		udp.Close()
		return nil, "", err
	}
	r.pc = pc
	kinds := make([]webrtc.RTPCodecType, o.Videos, o.Videos+1)
	for i := range kinds {
		kinds[i] = webrtc.RTPCodecTypeVideo
	}
	if o.Audio {
		kinds = append(kinds, webrtc.RTPCodecTypeAudio)
	}
	for _, kind := range kinds {
		if _, err := pc.AddTransceiverFromKind(kind,
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

// settings: loopback UDP on udp only, pion's drops counted.
func (r *Receiver) settings(udp *net.UDPConn) webrtc.SettingEngine {
	quiet := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelDisabled}
	se := webrtc.SettingEngine{LoggerFactory: countingLoggers{quiet: quiet, overruns: &r.overruns},
		BufferFactory: newCountingBuffer(&r.overruns)}
	se.SetICEUDPMux(webrtc.NewICEUDPMux(quiet.NewLogger("udpmux"), udp))
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	// Retransmissions of packets already received reach the reader
	// (Repeats checks them) instead of SRTP's replay filter.
	se.DisableSRTPReplayProtection(true)
	return se
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
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return // a track that came as the peer connection closed
	}
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		r.readTrack(index, track)
	}()
	go func() {
		defer r.wg.Done()
		r.readReports(index, recv)
	}()
}

// depacketizer turns RTP payloads of one codec into Annex-B (video) or
// frames (audio).
type depacketizer interface {
	Unmarshal(payload []byte) ([]byte, error)
}

type audioFrames struct{}

func (audioFrames) Unmarshal(p []byte) ([]byte, error) { return p, nil }

func depacketizerFor(mime string) depacketizer {
	switch strings.ToLower(mime) {
	case "video/h265":
		return &codecs.H265Depacketizer{}
	case "video/h264":
		return &codecs.H264Packet{}
	}
	return audioFrames{}
}

// readTrack reassembles access units: packets up to the marker bit. Each
// audio packet is a frame of its own.
func (r *Receiver) readTrack(index int, track *webrtc.TrackRemote) {
	mime := track.Codec().MimeType
	audio := track.Kind() == webrtc.RTPCodecTypeAudio
	var (
		depack   = depacketizerFor(mime)
		annexB   []byte
		open     bool   // a picture's packets were taken, not yet its last
		openTS   uint32 // that picture's timestamp
		lastSeq  uint16
		firstSeq uint16
		haveSeq  bool
		gap      bool
		rp       = &repeats{track: index}
	)
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		if rp.see(r, pkt) {
			continue // a retransmission of a packet already taken
		}
		if open && pkt.Timestamp != openTS {
			// A picture cut short: the sender moved the track to another
			// stream in the middle of a frame (a tile switched). A new
			// timestamp starts a new picture, and a decoder drops the
			// unfinished one; so does the receiver, with what the
			// depacketizer holds of it (an FU-A without its end).
			r.truncated.Add(1)
			annexB, depack, open = nil, depacketizerFor(mime), false
		}
		if !open {
			firstSeq, openTS, open = pkt.SequenceNumber, pkt.Timestamp, !audio
		}
		if r.sequence(pkt.SequenceNumber, &lastSeq, &haveSeq) {
			gap = true
		}
		if c := track.Codec().MimeType; c != mime {
			// The sender switched codec (another camera on the tile).
			mime, depack, annexB = c, depacketizerFor(c), nil
		}
		data, err := depack.Unmarshal(pkt.Payload)
		if err != nil {
			if !gap { // not a fragment orphaned by a loss before it
				r.malformed.Add(1)
			}
			gap = true
			continue
		}
		if audio {
			r.deliver(Frame{Track: index, Codec: mime, Timestamp: pkt.Timestamp, Arrived: time.Now(),
				NALUs: [][]byte{append([]byte(nil), data...)}, Gap: gap, FirstSeq: pkt.SequenceNumber, LastSeq: pkt.SequenceNumber})
			gap = false
			continue
		}
		annexB = append(annexB, data...)
		if !pkt.Marker {
			continue
		}
		f := Frame{Track: index, Codec: mime, Timestamp: pkt.Timestamp, Arrived: time.Now(), NALUs: splitAnnexB(annexB), Gap: gap,
			FirstSeq: firstSeq, LastSeq: pkt.SequenceNumber}
		annexB, gap, open = nil, false, false
		r.deliver(f)
	}
}

// Truncated counts the pictures dropped unfinished because the next
// picture began (a new timestamp) before their last packet: the sender
// switched the track's stream mid-frame.
func (r *Receiver) Truncated() uint64 { return r.truncated.Load() }

// sequence follows a track's sequence numbers; true when seq is not the
// next one. A jump forward skipped packets (counted as missing); a step
// back is a late or retransmitted one, whose loss was counted when skipped.
func (r *Receiver) sequence(seq uint16, last *uint16, have *bool) (gap bool) {
	if *have && seq != *last+1 {
		gap = true
		if skipped := seq - *last - 1; skipped < 1<<15 {
			r.missing.Add(uint64(skipped))
		}
	}
	if !*have || int16(seq-*last) > 0 {
		*last, *have = seq, true
	}
	return gap
}

func (r *Receiver) deliver(f Frame) {
	select {
	case r.frames <- f:
	default: // the test is not reading; never block the track
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
