package avc

import "time"

// A camera's clock is trusted for the spacing of frames, not for absolute
// values: it restarts on reconnect and some cameras reset it at random.
// Jumps larger than these are smoothed over with wall-clock time.
const (
	maxBackwardJump = time.Second
	maxForwardJump  = 10 * time.Second
	minFrameStep    = time.Millisecond
)

// clock maps camera timestamps onto one monotonic timeline.
type clock struct {
	started  bool
	offset   time.Duration // added to the camera's timestamp
	last     time.Duration // last output
	lastWall time.Time
	rebase   bool // next unit starts a new mapping
}

func (c *clock) reset() { c.rebase = true }

func (c *clock) normalize(pts90k int64, now time.Time, counters *Counters) time.Duration {
	in := time.Duration(pts90k) * time.Second / 90000
	switch {
	case !c.started:
		c.started = true
		c.offset = -in
	case c.rebase:
		c.offset = c.continueAt(now) - in
	default:
		out := in + c.offset
		if out < c.last-maxBackwardJump || out > c.last+maxForwardJump {
			counters.Rebases++
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

// continueAt is where a new mapping starts: after the last output by the
// wall time that passed, and at least one step later.
func (c *clock) continueAt(now time.Time) time.Duration {
	gap := now.Sub(c.lastWall)
	if gap < minFrameStep {
		gap = minFrameStep
	}
	return c.last + gap
}
