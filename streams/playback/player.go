// Package playback plays a camera's recordings back as a live stream:
// a Player reads the recorded segments from a wall-clock time on (from
// the keyframe at or before it) and publishes the access units into a hub
// of its own, paced by a Clock (real time × speed), so every output of
// live video — a console tile's track, a WHEP viewer, the transcoder —
// shows a recording exactly as it shows a camera. Pause, step, seek and
// speed go through the clock; tiles linked to one clock show the same
// moment. The live path and the recorder never wait on a player: it only
// reads files and the index.
package playback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// Errors a caller maps to user-facing answers.
var (
	ErrFuture = errors.New("playback: the time is in the future")
	ErrClosed = errors.New("playback: player closed")
)

// NoRecordingError means nothing is recorded at the asked time; Nearest is
// the closest recorded time (zero when the camera has no recording).
type NoRecordingError struct{ At, Nearest time.Time }

func (e *NoRecordingError) Error() string {
	if e.Nearest.IsZero() {
		return "playback: nothing recorded"
	}
	return fmt.Sprintf("playback: nothing recorded at %s; nearest %s", e.At.Format(time.RFC3339), e.Nearest.Format(time.RFC3339))
}

// Options configure a Player.
type Options struct {
	Store  Store
	Camera string
	// Start is the recorded time to show first.
	Start time.Time
	// Clock drives the player; nil makes one running at Speed (default 1).
	Clock *Clock
	Speed float64
	// GapTolerance is the longest hole between frames played through in
	// real time; a longer one is skipped (default 2 s).
	GapTolerance time.Duration
	// Poll is how often a player waiting for the recorder looks again
	// (default 200 ms).
	Poll time.Duration
	// OnChange is told (from the player's goroutine, must not block) when
	// the status changes in a way a viewer must hear of: the first frame
	// after a start or seek, a pause, speed, a gap skipped, the end.
	OnChange func(Status)
	Logger   *slog.Logger
}

// Status is what a player shows.
type Status struct {
	// Time is the recorded wall-clock time of the last frame sent (zero
	// before the first).
	Time   time.Time
	Speed  float64
	Paused bool
	// Edge is true while the player has caught up with the recorder and
	// waits for it (the live edge); Ended when nothing is recorded after.
	Edge, Ended bool
	// GapFrom and GapTo are the last hole skipped.
	GapFrom, GapTo time.Time
	Frames         uint64
}

// Player plays one camera's recordings into its hub.
type Player struct {
	opts  Options
	clock *Clock
	hub   *hub.Hub
	audio *hub.Hub // the recorded sound, at 1× only
	log   *slog.Logger
	t0    time.Time

	cancel context.CancelFunc
	done   chan struct{}
	step   chan struct{}

	mu     sync.Mutex
	status Status
}

// Check tells whether t can be played: ErrFuture, a *NoRecordingError, or
// nil.
func Check(store Store, camera string, t time.Time, tolerance time.Duration) error {
	if t.After(time.Now()) {
		return fmt.Errorf("%w: %s", ErrFuture, t.Format(time.RFC3339))
	}
	segs := segmentsFrom(store, camera, t)
	if len(segs) > 0 && !segs[0].Start.After(t.Add(tolerance)) {
		return nil
	}
	e := &NoRecordingError{At: t}
	if len(segs) > 0 {
		e.Nearest = segs[0].Start
	}
	if before, ok := lastBefore(store, camera, t); ok {
		end := before.End
		if e.Nearest.IsZero() || t.Sub(end) < e.Nearest.Sub(t) {
			e.Nearest = end
		}
	}
	return e
}

// New checks that opts.Start can be played and starts the player.
func New(opts Options) (*Player, error) {
	setDefault(&opts.GapTolerance, 2*time.Second)
	setDefault(&opts.Poll, 200*time.Millisecond)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	if err := Check(opts.Store, opts.Camera, opts.Start, opts.GapTolerance); err != nil {
		return nil, err
	}
	clock := opts.Clock
	if clock == nil {
		var err error
		if clock, err = NewClock(opts.Start, opts.Speed); err != nil {
			return nil, err
		}
	}
	p := &Player{opts: opts, clock: clock, log: opts.Logger, t0: time.Now(), done: make(chan struct{}),
		step: make(chan struct{}, 1), hub: hub.New(hub.Options{ID: opts.Camera + "/playback"}),
		audio: hub.New(hub.Options{ID: opts.Camera + "/playback-audio"})}
	st := clock.state()
	p.status = Status{Speed: st.speed, Paused: st.paused}
	c := &cursor{store: opts.Store, camera: opts.Camera}
	if err := c.seek(st.mediaAt(clock.now())); err != nil {
		return nil, &NoRecordingError{At: opts.Start}
	}
	clock.join()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go p.run(ctx, c, st.seq)
	return p, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Hub is the stream the player publishes: attach viewers to it.
func (p *Player) Hub() *hub.Hub { return p.hub }

// AudioHub is the recorded sound the player publishes, at 1× only; it
// stays "connecting" for a recording without sound.
func (p *Player) AudioHub() *hub.Hub { return p.audio }

// Clock is the clock driving the player.
func (p *Player) Clock() *Clock { return p.clock }

// Status returns what the player shows now.
func (p *Player) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status
	st := p.clock.state()
	s.Speed, s.Paused = st.speed, st.paused
	return s
}

// Seek shows t: it checks t first (see Check), then moves the clock, and
// so every player linked to it.
func (p *Player) Seek(t time.Time) error {
	if err := Check(p.opts.Store, p.opts.Camera, t, p.opts.GapTolerance); err != nil {
		return err
	}
	p.clock.Seek(t)
	return nil
}

// Step shows the next frame of a paused player (and moves its clock, so
// linked players follow). A running player is paused first.
func (p *Player) Step() {
	p.clock.Pause()
	select {
	case p.step <- struct{}{}:
	default:
	}
}

// Close stops the player and waits for its goroutine.
func (p *Player) Close() {
	p.cancel()
	<-p.done
}

func (p *Player) setStatus(f func(s *Status), notify bool) {
	p.mu.Lock()
	f(&p.status)
	s := p.status
	p.mu.Unlock()
	if notify && p.opts.OnChange != nil {
		st := p.clock.state()
		s.Speed, s.Paused = st.speed, st.paused
		p.opts.OnChange(s)
	}
}

// publish sends one recorded unit into the hub, its decode time the time
// it is sent: the hub's readers pace and stamp what they send by it, so
// the viewer's timestamps follow what is shown, not the recording's clock.
// A B-frame recording's picture is shown ptsOffset later (already scaled
// by the speed).
func (p *Player) publish(nalus [][]byte, key bool, in segstore.Init, last *time.Duration, ptsOffset time.Duration) {
	now := time.Now()
	dts := now.Sub(p.t0)
	if dts <= *last {
		dts = *last + time.Millisecond
	}
	*last = dts
	if key {
		nalus = withParams(nalus, in)
	}
	p.hub.Publish(&media.AccessUnit{PTS: dts + ptsOffset, DTS: dts, Received: now, NALUs: nalus, Key: key})
}

// trackOf is the hub track a segment header describes; reordered tells
// whether its pictures come out of display order (B-frames): viewers then
// get it through the transcoder, like the live camera.
func trackOf(in segstore.Init, reordered bool) media.Track {
	codec := in.Codec
	if codec == "" {
		codec = media.CodecH264
	}
	return media.Track{Codec: codec, Width: in.Width, Height: in.Height, VPS: in.VPS, SPS: in.SPS, PPS: in.PPS,
		Reordered: reordered}
}

// withParams puts the segment's parameter sets before a keyframe that
// lacks them: a viewer must be able to start at any keyframe played.
func withParams(nalus [][]byte, in segstore.Init) [][]byte {
	isParam := func(n []byte) bool { return n[0]&0x1f == 7 }
	params := [][]byte{in.SPS, in.PPS}
	if in.IsH265() {
		isParam = func(n []byte) bool { return (n[0]>>1)&0x3f == 32 || (n[0]>>1)&0x3f == 33 }
		params = [][]byte{in.VPS, in.SPS, in.PPS}
	}
	for _, n := range nalus {
		if isParam(n) {
			return nalus
		}
	}
	return append(params, nalus...)
}
