// Package clock maps a camera's media timestamps onto one monotonic
// timeline per stream.
//
// A camera's clock is trusted for the spacing of frames, not for absolute
// values: it restarts on reconnect and some cameras reset it at random.
// Jumps larger than the limits below are smoothed over with wall-clock
// time.
package clock

import "time"

const (
	maxBackwardJump = time.Second
	maxForwardJump  = 10 * time.Second
	minFrameStep    = time.Millisecond
)

// Clock maps timestamps of one stream onto a monotonic timeline that
// starts near zero. It is not safe for concurrent use.
type Clock struct {
	started  bool
	offset   time.Duration // added to the camera's timestamp
	last     time.Duration // last output
	lastWall time.Time
	rebase   bool // next unit starts a new mapping
	rebases  uint64
}

// Reset makes the next timestamp continue from the last output (by the
// wall time that passed) instead of following the camera's new clock.
func (c *Clock) Reset() { c.rebase = true }

// Rebases counts the jumps that were smoothed over.
func (c *Clock) Rebases() uint64 { return c.rebases }

// Map converts ticks of a clock of rate Hz, received at wall time now,
// into the monotonic timeline: every output is larger than the last.
func (c *Clock) Map(ticks, rate int64, now time.Time) time.Duration {
	in := Duration(ticks, rate)
	switch {
	case !c.started:
		c.started = true
		c.offset = -in
	case c.rebase:
		c.offset = c.continueAt(now) - in
	default:
		out := in + c.offset
		if out < c.last-maxBackwardJump || out > c.last+maxForwardJump {
			c.rebases++
			c.offset = c.continueAt(now) - in
		}
	}
	c.rebase = false
	out := in + c.offset
	if out <= c.last && c.lastWall != (time.Time{}) {
		out = c.last + minFrameStep
		c.offset = out - in
	}
	c.last = out
	c.lastWall = now
	return out
}

// Duration converts ticks of a clock of rate Hz without overflowing for
// the first few centuries of a stream (ticks * 1e9 would after a day).
func Duration(ticks, rate int64) time.Duration {
	return time.Duration(ticks/rate)*time.Second + time.Duration(ticks%rate)*time.Second/time.Duration(rate)
}

// continueAt is where a new mapping starts: after the last output by the
// wall time that passed, and at least one step later.
func (c *Clock) continueAt(now time.Time) time.Duration {
	gap := now.Sub(c.lastWall)
	if gap < minFrameStep {
		gap = minFrameStep
	}
	return c.last + gap
}
