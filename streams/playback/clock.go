package playback

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Speeds a player accepts: 1/8× to 16×; above KeyframesAbove only
// keyframes are sent (a browser cannot decode 16× of every frame, and a
// dispatcher scanning an hour needs none of them).
const (
	MinSpeed       = 0.125
	MaxSpeed       = 16
	KeyframesAbove = 4
)

// ErrSpeed is returned for a speed outside MinSpeed..MaxSpeed.
var ErrSpeed = errors.New("playback: speed must be from 0.125 to 16")

// CheckSpeed returns ErrSpeed (wrapped with the value) for a speed a
// player does not take.
func CheckSpeed(s float64) error {
	if !(s >= MinSpeed && s <= MaxSpeed) { // NaN fails too
		return fmt.Errorf("%w (got %v)", ErrSpeed, s)
	}
	return nil
}

// Clock is the recorded moment a player (or a group of linked players)
// shows: one clock drives every tile linked to it, so a pause, a seek or a
// speed change applies to all of them at once and they show the same
// wall-clock moment.
type Clock struct {
	// now is real time: the clock's and its players' (when a frame is
	// due), so that a test can drive both.
	now func() time.Time

	mu          sync.Mutex
	anchorWall  time.Time // real time at which anchorMedia was shown
	anchorMedia time.Time // recorded time
	speed       float64
	paused      bool
	seq         uint64        // counts seeks: players re-position when it changes
	changed     chan struct{} // closed (and replaced) on every change
	players     int
}

// NewClock returns a running clock showing start now, at speed.
func NewClock(start time.Time, speed float64) (*Clock, error) {
	if err := CheckSpeed(speed); err != nil {
		return nil, err
	}
	c := &Clock{now: time.Now, speed: speed, changed: make(chan struct{})}
	c.anchorWall, c.anchorMedia = c.now(), start
	return c, nil
}

// clockState is a consistent snapshot of a clock.
type clockState struct {
	anchorWall, anchorMedia time.Time
	speed                   float64
	paused                  bool
	seq                     uint64
	changed                 <-chan struct{}
	players                 int
}

func (c *Clock) state() clockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clockState{c.anchorWall, c.anchorMedia, c.speed, c.paused, c.seq, c.changed, c.players}
}

// mediaAt is the recorded time the clock shows at real time now.
func (s clockState) mediaAt(now time.Time) time.Time {
	if s.paused {
		return s.anchorMedia
	}
	return s.anchorMedia.Add(time.Duration(float64(now.Sub(s.anchorWall)) * s.speed))
}

// wallFor is the real time at which recorded time t is due.
func (s clockState) wallFor(t time.Time) time.Time {
	return s.anchorWall.Add(time.Duration(float64(t.Sub(s.anchorMedia)) / s.speed))
}

// Now returns the recorded time the clock shows now.
func (c *Clock) Now() time.Time { return c.state().mediaAt(c.now()) }

// Speed returns the clock's speed.
func (c *Clock) Speed() float64 { return c.state().speed }

// Paused reports whether the clock is paused.
func (c *Clock) Paused() bool { return c.state().paused }

// changeLocked re-anchors the clock at now and wakes its players.
func (c *Clock) changeLocked(media time.Time) {
	c.anchorWall, c.anchorMedia = c.now(), media
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Clock) update(f func(now time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	f(now)
}

// Seek makes every player of the clock show t.
func (c *Clock) Seek(t time.Time) {
	c.update(func(time.Time) { c.seq++; c.changeLocked(t) })
}

// SetSpeed changes the speed from now on.
func (c *Clock) SetSpeed(s float64) error {
	if err := CheckSpeed(s); err != nil {
		return err
	}
	c.update(func(now time.Time) {
		media := clockState{anchorWall: c.anchorWall, anchorMedia: c.anchorMedia, speed: c.speed, paused: c.paused}.mediaAt(now)
		c.speed = s
		c.changeLocked(media)
	})
	return nil
}

// Pause stops the clock where it is.
func (c *Clock) Pause() {
	c.update(func(now time.Time) {
		if c.paused {
			return
		}
		media := clockState{anchorWall: c.anchorWall, anchorMedia: c.anchorMedia, speed: c.speed}.mediaAt(now)
		c.paused = true
		c.changeLocked(media)
	})
}

// Resume starts a paused clock from where it stopped.
func (c *Clock) Resume() {
	c.update(func(time.Time) {
		if !c.paused {
			return
		}
		c.paused = false
		c.changeLocked(c.anchorMedia)
	})
}

// stepTo moves a paused clock forward to t: its players show the frames
// up to t. A running clock, or t not later, is left alone.
func (c *Clock) stepTo(t time.Time) {
	c.update(func(time.Time) {
		if c.paused && t.After(c.anchorMedia) {
			c.changeLocked(t)
		}
	})
}

// skipGap moves a running clock over a hole in a recording: from the
// recorded time "from" on nothing is recorded until "to". Only a clock
// with one player skips: linked tiles keep one time, and the others may
// have pictures in the hole.
func (c *Clock) skipGap(from, to time.Time) bool {
	skipped := false
	c.update(func(now time.Time) {
		st := clockState{anchorWall: c.anchorWall, anchorMedia: c.anchorMedia, speed: c.speed, paused: c.paused}
		if c.players > 1 || c.paused || !st.mediaAt(now).Before(to) || st.mediaAt(now).Before(from) {
			return
		}
		c.changeLocked(to)
		skipped = true
	})
	return skipped
}

func (c *Clock) join()  { c.update(func(time.Time) { c.players++ }) }
func (c *Clock) leave() { c.update(func(time.Time) { c.players-- }) }
