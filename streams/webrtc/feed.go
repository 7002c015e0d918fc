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
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// rtpPayloadSize keeps every packet, with SRTP and tunnel overhead, under
// common path MTUs.
const rtpPayloadSize = 1200

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
	Track  media.Track
}

// Feed is one outgoing video track. It is fed by a hub reader and can be
// switched to another hub at any time: the track, its SSRC, sequence
// numbers and timestamps stay continuous, so the browser needs no new
// negotiation and shows the new camera from its cached keyframe.
type Feed struct {
	track    *webrtc.TrackLocalStaticRTP
	log      *slog.Logger
	onChange func(FeedEvent)
	// ready is closed once the peer connection is up: packets written
	// before that are lost, and the first one must be the keyframe.
	ready <-chan struct{}

	mu          sync.Mutex // guards the fields below
	hub         *hub.Hub
	reader      *hub.Reader
	cancel      context.CancelFunc
	done        chan struct{}
	lastRequest time.Time
	closed      bool

	// Owned by the running pump; handed from one pump to the next by
	// Attach, which waits for the old pump to end before starting the new.
	tl        timeline
	seq       uint16
	payloader codecs.H264Payloader
	state     FeedState
	lastTrack media.Track

	packets atomic.Uint64
	frames  atomic.Uint64
	bytes   atomic.Uint64
}

func newFeed(track *webrtc.TrackLocalStaticRTP, ready <-chan struct{}, log *slog.Logger, onChange func(FeedEvent)) *Feed {
	if onChange == nil {
		onChange = func(FeedEvent) {}
	}
	return &Feed{track: track, ready: ready, log: log, onChange: onChange, seq: uint16(time.Now().UnixNano()), state: FeedIdle}
}

// Attach switches the feed to h (nil detaches). It returns once the
// previous reader is released.
func (f *Feed) Attach(h *hub.Hub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	if f.closed || h == nil {
		f.hub = nil
		return
	}
	f.tl.unmap()
	f.payloader = codecs.H264Payloader{}
	f.hub = h
	f.reader = h.NewReader()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.done = make(chan struct{})
	go f.pump(ctx, f.reader, f.done)
}

// Hub returns the hub the feed is attached to, or nil.
func (f *Feed) Hub() *hub.Hub {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hub
}

// stopLocked ends the running pump and waits for it.
func (f *Feed) stopLocked() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	<-f.done
	f.cancel, f.done, f.reader = nil, nil, nil
}

func (f *Feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	f.closed = true
	f.hub = nil
}

// requestKeyframe answers a viewer's PLI or FIR from the hub's GOP cache.
func (f *Feed) requestKeyframe() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reader == nil || time.Since(f.lastRequest) < keyframeRequestInterval {
		return
	}
	f.lastRequest = time.Now()
	f.reader.Resync()
}

// Stats are a feed's cumulative totals.
type FeedStats struct {
	Packets, Frames, Bytes uint64
}

// Stats returns what the feed has sent.
func (f *Feed) Stats() FeedStats {
	return FeedStats{Packets: f.packets.Load(), Frames: f.frames.Load(), Bytes: f.bytes.Load()}
}

func (f *Feed) pump(ctx context.Context, r *hub.Reader, done chan struct{}) {
	defer close(done)
	defer r.Close()
	f.setState(FeedEvent{State: FeedWaiting})
	select {
	case <-f.ready:
	default:
		select {
		case <-f.ready:
			// The reader queued while the connection came up; restart it
			// from the freshest GOP so the first packets are a keyframe.
			r.Resync()
		case <-ctx.Done():
			return
		}
	}
	for {
		d, err := r.Read(ctx)
		if err != nil {
			return
		}
		switch {
		case d.Status != nil:
			f.onStatus(*d.Status)
		case d.Burst:
			if !f.sendBurst(ctx, d.Units) {
				return
			}
		default:
			f.sendUnit(d.Units[0], f.tl.live(d.Units[0].PTS, time.Now()))
		}
	}
}

func (f *Feed) onStatus(s hub.Status) {
	f.lastTrack = s.Track
	switch s.State {
	case hub.StateOffline:
		f.setState(FeedEvent{State: FeedOffline, Reason: s.Reason, Track: s.Track})
	case hub.StateOnline:
		if f.state == FeedPlaying {
			// New resolution or codec parameters: tell the tile.
			f.onChange(FeedEvent{State: FeedPlaying, Track: s.Track})
		}
	}
}

// sendBurst sends a run of cached units. The keyframe goes at once: it is
// the first picture the viewer sees. The frames after it are paced to
// burstRate, so a multi-megabyte GOP does not hit a real network link (or
// the viewer's socket buffer) in one instant. It returns false when ctx
// ended the burst.
func (f *Feed) sendBurst(ctx context.Context, units []*media.AccessUnit) bool {
	pts := make([]time.Duration, len(units))
	for i, au := range units {
		pts[i] = au.PTS
	}
	start := time.Now()
	stamps := f.tl.burst(pts, start)
	var paced int64 // bytes sent after the keyframe
	for i, au := range units {
		if i > 0 {
			due := start.Add(time.Duration(paced * int64(time.Second) / burstRate))
			if !sleepUntil(ctx, due) {
				return false
			}
			paced += int64(au.Size())
		}
		f.sendUnit(au, stamps[i])
	}
	return true
}

// sleepUntil waits until t or ctx's end; it reports whether t came.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sendUnit packetizes one access unit and writes it to the track.
func (f *Feed) sendUnit(au *media.AccessUnit, ts int64) {
	payloads := f.payloader.Payload(rtpPayloadSize, au.AnnexB())
	for i, payload := range payloads {
		pkt := rtp.Packet{
			Header: rtp.Header{
				Version:        2,
				Marker:         i == len(payloads)-1,
				SequenceNumber: f.seq,
				Timestamp:      uint32(ts),
			},
			Payload: payload,
		}
		f.seq++
		if err := f.track.WriteRTP(&pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			f.log.Debug("write rtp", "err", err)
		}
		f.packets.Add(1)
		f.bytes.Add(uint64(len(payload)))
	}
	f.frames.Add(1)
	if f.state != FeedPlaying {
		f.setState(FeedEvent{State: FeedPlaying, Track: f.lastTrack})
	}
}

func (f *Feed) setState(e FeedEvent) {
	f.state = e.State
	f.onChange(e)
}

// readRTCP drains the sender's RTCP (the interceptors need it read) and
// answers keyframe requests. It ends when the peer connection closes.
func (f *Feed) readRTCP(sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				f.requestKeyframe()
			}
		}
	}
}
