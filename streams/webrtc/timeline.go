package webrtc

import (
	"math/rand/v2"
	"time"
)

// timeline maps camera timestamps onto one viewer track's RTP timestamps.
// The track's timestamps must keep growing with wall-clock time across
// camera switches and bursts, or the browser's jitter buffer either plays
// old frames slowly or stalls. Measured in Chromium (see
// shared/research/track-switch.md): a burst of cached frames squeezed just
// before "now" is shown within ~0.2 s and then runs at live latency.
type timeline struct {
	rate     int64 // RTP clock in Hz; 0 is 90 kHz
	started  bool
	last     int64 // last RTP timestamp sent, unwrapped
	lastWall time.Time
	mapped   bool
	offset   int64 // RTP timestamp = camera ticks + offset
}

// unmap forgets the camera mapping; the next unit starts a new one. The
// output stays continuous.
func (t *timeline) unmap() { t.mapped = false }

// setRate switches the RTP clock (an audio track moving between G.711 and
// Opus); the output continues at the same point in time.
func (t *timeline) setRate(rate int64) {
	if rate == t.clock() {
		return
	}
	t.last = t.last * rate / t.clock()
	t.rate = rate
	t.mapped = false
}

func (t *timeline) clock() int64 {
	if t.rate == 0 {
		return 90000
	}
	return t.rate
}

func (t *timeline) ticks(d time.Duration) int64 { return toTicks(d, t.clock()) }

// wall is the RTP timestamp that corresponds to now on this track.
func (t *timeline) wall(now time.Time) int64 {
	if !t.started {
		return int64(rand.Uint32() >> 1) // random start, as RFC 3550 asks
	}
	w := t.last + t.ticks(now.Sub(t.lastWall))
	if w <= t.last {
		w = t.last + 1
	}
	return w
}

// burst stamps a run of cached units that ends with the live edge. On a
// fresh track they go 1 ms apart from now; on a running track they are
// squeezed into the time since the last packet, the last one at now.
func (t *timeline) burst(pts []time.Duration, now time.Time) []int64 {
	n := int64(len(pts))
	out := make([]int64, n)
	w := t.wall(now)
	if !t.started {
		for k := range out {
			out[k] = w + int64(k)*t.clock()/1000
		}
	} else {
		span := w - t.last
		if span < n {
			span = n
		}
		for k := range out {
			out[k] = t.last + span*int64(k+1)/n
		}
	}
	last := out[n-1]
	t.offset = last - t.ticks(pts[n-1])
	t.mapped = true
	t.advance(last, now)
	return out
}

// live stamps one live unit.
func (t *timeline) live(pts time.Duration, now time.Time) int64 {
	if !t.mapped {
		t.offset = t.wall(now) - t.ticks(pts)
		t.mapped = true
	}
	ts := t.ticks(pts) + t.offset
	if t.started && ts <= t.last {
		ts = t.last + 1
	}
	t.advance(ts, now)
	return ts
}

func (t *timeline) advance(ts int64, now time.Time) {
	t.started = true
	t.last = ts
	t.lastWall = now
}
