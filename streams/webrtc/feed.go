package webrtc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// burstRate caps how fast the frames of a cached-GOP burst after its
// keyframe are sent, in bytes per second (100 Mbit/s): fast enough that a
// 4 s GOP of a 4 Mbit/s camera is through in ~0.2 s, slow enough not to
// flood a dispatch centre's link or the viewer's receive buffer.
const burstRate = 100_000_000 / 8

// keyframeRequestInterval rate-limits PLI/FIR answers: a viewer's decoder
// asks repeatedly while it waits, and each answer is a whole GOP burst.
const keyframeRequestInterval = 500 * time.Millisecond

// FeedState is what a viewer's tile shows.
type FeedState string

// Feed states, as the console names them.
const (
	FeedIdle    FeedState = "idle"
	FeedWaiting FeedState = "waiting"
	FeedPlaying FeedState = "playing"
	FeedOffline FeedState = "offline"
)

// FeedEvent reports a feed's state change. Events come from the feed's own
// goroutine: a handler must not call Attach on the same feed synchronously.
type FeedEvent struct {
	State  FeedState
	Reason string // why offline
	// Track is the camera's track as it sends it.
	Track media.Track
	// Sent is the codec the viewer gets ("" until known) and Transcoded
	// whether it was made for this viewer rather than passed through.
	Sent       media.Codec
	Transcoded bool
}

// Feed is one outgoing track. It is fed by a hub reader and can be
// switched to another stream at any time: the track, its SSRC, sequence
// numbers and timestamps stay continuous, so the browser needs no new
// negotiation and shows the new camera from its cached keyframe. Each
// stream goes to the viewer as the camera sends it when the viewer
// negotiated that codec, and through the stream's transcoder otherwise.
type Feed struct {
	track    *switchTrack
	log      *slog.Logger
	onChange func(FeedEvent)
	// ready is closed once the peer connection is up: packets written
	// before that are lost, and the first one must be the keyframe.
	ready <-chan struct{}

	mu          sync.Mutex // guards the fields below
	stream      *Stream
	cancel      context.CancelFunc
	done        chan struct{}
	lastRequest time.Time
	closed      bool

	// Owned by the running pump; handed from one pump to the next by
	// Attach, which waits for the old pump to end before starting the new.
	tl        timeline
	seq       uint16
	pk        packetizer
	state     FeedState
	lastTrack media.Track
	route     route

	// reader is the pump's current reader, for keyframe requests. The pump
	// sets it without f.mu, which Attach holds while waiting for the pump.
	reader atomic.Pointer[hub.Reader]

	packets atomic.Uint64
	frames  atomic.Uint64
	bytes   atomic.Uint64

	// sent answers the viewer's NACKs and makes its sender reports.
	sent sentLog
}

func newFeed(track *switchTrack, ready <-chan struct{}, log *slog.Logger, onChange func(FeedEvent)) *Feed {
	if onChange == nil {
		onChange = func(FeedEvent) {}
	}
	return &Feed{track: track, ready: ready, log: log, onChange: onChange, seq: uint16(time.Now().UnixNano()), state: FeedIdle}
}

// Attach switches the feed to the camera stream h sends, without a
// transcoder (nil detaches).
func (f *Feed) Attach(h *hub.Hub) {
	if h == nil {
		f.AttachStream(nil)
		return
	}
	f.AttachStream(&Stream{Native: h})
}

// AttachStream switches the feed to s (nil detaches). It returns once the
// previous reader is released.
func (f *Feed) AttachStream(s *Stream) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	if f.closed || s == nil || s.Native == nil {
		f.stream = nil
		return
	}
	f.tl.unmap()
	f.stream = s
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.done = make(chan struct{})
	go f.pump(ctx, s, f.done)
}

// Hub returns the native hub of the stream the feed shows, or nil.
func (f *Feed) Hub() *hub.Hub {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stream == nil {
		return nil
	}
	return f.stream.Native
}

// stopLocked ends the running pump and waits for it.
func (f *Feed) stopLocked() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	<-f.done
	f.cancel, f.done = nil, nil
}

func (f *Feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	f.closed = true
	f.stream = nil
}

// requestKeyframe answers a viewer's PLI or FIR from the hub's GOP cache.
func (f *Feed) requestKeyframe() {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.reader.Load()
	if r == nil || time.Since(f.lastRequest) < keyframeRequestInterval {
		return
	}
	f.lastRequest = time.Now()
	r.Resync()
}

// FeedStats are a feed's cumulative totals.
type FeedStats struct {
	Packets, Frames, Bytes uint64
}

// Stats returns what the feed has sent.
func (f *Feed) Stats() FeedStats {
	return FeedStats{Packets: f.packets.Load(), Frames: f.frames.Load(), Bytes: f.bytes.Load()}
}

// sendUnit packetizes one unit and writes it to the track, ts being the
// RTP timestamp of its first frame.
//
// A feed stopped (ctx ended) mid-unit sends none of the rest: the stop
// waits for one packet's write, not for a whole keyframe's behind writers
// queued on a loaded machine (TestConsoleDispatch beside two busy loops:
// a console's connection stood for over a minute in clearing tiles, each
// clear waiting on its feed's writes). The viewer drops the incomplete
// frame; whatever the track shows next starts from a keyframe.
func (f *Feed) sendUnit(ctx context.Context, au *media.AccessUnit, ts int64) {
	if f.state != FeedPlaying {
		// Told before the packets go, so the tile is never behind them.
		f.setState(FeedEvent{State: FeedPlaying, Track: f.lastTrack})
	}
	payloads := f.pk.payloads(au)
	video := !f.pk.codec.IsAudio()
	f.sent.frame(uint32(ts), clockRate(f.pk.codec), time.Now())
	var h rtp.Header // the sent log keeps a copy
	for i, payload := range payloads {
		if ctx.Err() != nil {
			return
		}
		h = rtp.Header{
			Version:        2,
			Marker:         video && i == len(payloads)-1,
			SequenceNumber: f.seq,
			Timestamp:      uint32(ts),
		}
		if !video {
			ts += frameTicks(f.pk.codec, payload)
		}
		f.seq++
		sent, err := f.track.write(f.pk.codec, &h, payload)
		if err != nil && !errors.Is(err, io.ErrClosedPipe) {
			f.log.Debug("write rtp", "err", err)
		}
		if sent {
			f.sent.add(&h, payload)
		}
		f.packets.Add(1)
		f.bytes.Add(uint64(len(payload)))
	}
	f.frames.Add(1)
}

func (f *Feed) setState(e FeedEvent) {
	f.state = e.State
	e.Sent, e.Transcoded = f.pk.codec, f.route == routeTranscoded
	f.onChange(e)
}

// readRTCP answers the viewer's feedback: keyframe requests from the
// GOP cache, NACKs from the sent log. It ends when the peer connection
// closes.
func (f *Feed) readRTCP(sender *webrtc.RTPSender) {
	var lost []sentPacket // reused: one NACK after another
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p := p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				f.requestKeyframe()
			case *rtcp.TransportLayerNack:
				lost = f.resend(lost[:0], p)
			}
		}
	}
}

// resend writes again the packets a NACK names that the sent log still
// has, as they first went. It returns lost for reuse.
func (f *Feed) resend(lost []sentPacket, nack *rtcp.TransportLayerNack) []sentPacket {
	if nack.MediaSSRC != f.track.SSRC() {
		return lost
	}
	lost = f.sent.lost(lost, nack, time.Now())
	for i := range lost {
		if err := f.track.resend(&lost[i].h, lost[i].payload); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			f.log.Debug("resend rtp", "err", err)
		}
	}
	clear(lost) // the payloads are not kept past the answer
	return lost
}

// senderReport is the feed's sender report at now, or false before it
// has sent anything.
func (f *Feed) senderReport(now time.Time) (rtcp.SenderReport, bool) {
	ssrc := f.track.SSRC()
	if ssrc == 0 {
		return rtcp.SenderReport{}, false // not bound to the connection yet
	}
	return f.sent.report(ssrc, now)
}
