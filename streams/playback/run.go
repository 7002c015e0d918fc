package playback

import (
	"bytes"
	"context"
	"errors"
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// loop is the player's goroutine state: it alone owns the cursor.
type loop struct {
	p   *Player
	c   *cursor
	seq uint64 // the clock's seek count this position follows

	next    sample
	have    bool // next holds the sample to send
	lastAt  time.Time
	lastPTS time.Duration
	keyOnly bool
	fresh   bool // the next frame is the first since a start or seek
	track   media.Track
	timer   *time.Timer

	audioTrack   media.Track
	lastAudioPTS time.Duration
}

// run plays until ctx ends.
func (p *Player) run(ctx context.Context, c *cursor, seq uint64) {
	defer close(p.done)
	defer c.close()
	defer p.clock.leave()
	defer p.hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
	defer p.audio.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
	if !p.awaitViewer(ctx) {
		return
	}
	l := &loop{p: p, c: c, seq: seq, fresh: true, timer: time.NewTimer(time.Hour)}
	defer l.timer.Stop()
	l.keyOnly = p.clock.state().speed > KeyframesAbove
	for ctx.Err() == nil {
		l.turn(ctx)
	}
}

// awaitViewer waits until the player's picture or sound has a viewer (or
// a transcoder reading for one), and reports false if ctx ended first.
// A hub keeps only its newest GOP: a viewer that attached after the next
// keyframe was sent would start there, past the moment asked for (by up
// to its attach delay: a busy machine's tens of milliseconds, or a WHEP
// negotiation). The clock runs meanwhile, as linked players share it:
// the frames from the keyframe up to the clock's time are then sent at
// once, as at any start.
func (p *Player) awaitViewer(ctx context.Context) bool {
	for {
		video, videoChanged := p.hub.Watched()
		sound, soundChanged := p.audio.Watched()
		if video || sound {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-videoChanged:
		case <-soundChanged:
		}
	}
}

// turn does one step: re-position after a seek, fetch the next sample,
// wait until it is due, or send it.
func (l *loop) turn(ctx context.Context) {
	st := l.p.clock.state()
	keyOnly := st.speed > KeyframesAbove
	if st.seq != l.seq || (l.keyOnly && !keyOnly) {
		// Back from keyframes only, every frame needs its GOP from the start.
		l.keyOnly = keyOnly
		l.reposition(st)
		return
	}
	l.keyOnly = keyOnly
	if l.have && ((keyOnly && !l.next.key) || (l.next.audio && (st.speed != 1 || st.paused))) {
		l.have = false
	}
	if !l.have {
		l.fetch(ctx, st)
		return
	}
	if l.skipGap() {
		return
	}
	if st.paused {
		if l.next.at.After(st.anchorMedia) {
			if l.wait(ctx, st.changed, l.p.step, -1) {
				l.p.clock.stepTo(l.next.at)
			}
			return
		}
	} else if d := st.wallFor(l.next.at).Sub(l.p.clock.now()); d > 0 {
		l.wait(ctx, st.changed, nil, d)
		return
	}
	l.send(st.paused, st.speed)
}

// reposition moves the cursor to the clock's time after a seek.
func (l *loop) reposition(st clockState) {
	l.seq, l.have, l.lastAt, l.fresh = st.seq, false, time.Time{}, true
	if err := l.c.seek(st.mediaAt(l.p.clock.now())); err != nil {
		l.p.setStatus(func(s *Status) { s.Ended = true }, true)
	}
}

// fetch reads the next sample, or waits for the recorder.
func (l *loop) fetch(ctx context.Context, st clockState) {
	s, err := l.c.next(l.keyOnly, st.speed == 1)
	switch {
	case err == nil:
		l.next, l.have = s, true
		return
	case errors.Is(err, errWait):
		l.mark(func(s *Status) bool { was := s.Edge; s.Edge, s.Ended = true, false; return !was })
	case errors.Is(err, errEnd):
		l.mark(func(s *Status) bool { was := s.Ended; s.Ended, s.Edge = true, false; return !was })
	default:
		l.p.log.Warn("playback: cannot read recording", "camera", l.p.opts.Camera, "err", err)
	}
	l.wait(ctx, st.changed, nil, l.p.opts.Poll)
}

// mark changes the status and tells the viewer when f says it changed.
func (l *loop) mark(f func(s *Status) bool) {
	changed := false
	l.p.setStatus(func(s *Status) { changed = f(s) }, false)
	if changed {
		l.p.setStatus(func(*Status) {}, true)
	}
}

// skipGap moves the clock over a hole in the recording; it reports
// whether it did (the clock changed).
func (l *loop) skipGap() bool {
	if l.next.audio || l.lastAt.IsZero() || l.next.at.Sub(l.lastAt) <= l.p.opts.GapTolerance {
		return false
	}
	from, to := l.lastAt, l.next.at
	l.lastAt = time.Time{} // decided once per hole
	if !l.p.clock.skipGap(from, to) {
		return false
	}
	l.p.setStatus(func(s *Status) { s.GapFrom, s.GapTo = from, to }, true)
	return true
}

// wait blocks until d passes (d < 0: no timeout), the clock changes, a
// step is asked (then it returns true) or ctx ends.
func (l *loop) wait(ctx context.Context, changed <-chan struct{}, step <-chan struct{}, d time.Duration) bool {
	var tc <-chan time.Time
	if d >= 0 {
		l.timer.Reset(d)
		defer l.timer.Stop()
		tc = l.timer.C
	}
	select {
	case <-ctx.Done():
	case <-changed:
	case <-tc:
	case <-step:
		return true
	}
	return false
}

// send publishes the pending sample. The viewer hears of the first frame
// after a start or seek, and of each frame sent while paused (a step).
func (l *loop) send(paused bool, speed float64) {
	s := l.next
	l.have = false
	if s.audio {
		l.sendAudio(s)
		return
	}
	nalus, err := l.c.payload(s)
	if err != nil {
		l.p.log.Warn("playback: cannot read a frame", "camera", l.p.opts.Camera, "err", err)
		return
	}
	// Once B-frames show, the recording stays reordered: a GOP that
	// happens to have none must not switch viewers off the transcoder.
	if t := trackOf(l.c.init, l.track.Reordered || s.ptsOffset != 0); !sameTrack(t, l.track) {
		l.track = t
		l.p.hub.SetStatus(hub.Status{State: hub.StateOnline, Track: t})
	}
	l.p.publish(nalus, s.key, l.c.init, &l.lastPTS, time.Duration(float64(s.ptsOffset)/speed))
	l.lastAt = s.at
	fresh := l.fresh
	l.fresh = false
	l.p.setStatus(func(st *Status) {
		st.Time, st.Edge, st.Ended = s.at, false, false
		st.Frames++
	}, fresh || paused)
}

func sameTrack(a, b media.Track) bool {
	return a.Codec == b.Codec && a.Width == b.Width && a.Height == b.Height &&
		bytes.Equal(a.SPS, b.SPS) && bytes.Equal(a.PPS, b.PPS) && bytes.Equal(a.VPS, b.VPS) && a.Reordered == b.Reordered
}
