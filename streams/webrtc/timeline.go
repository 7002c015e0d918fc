package webrtc

import (
	"math/rand/v2"
	"time"
)

// clockRate is the RTP clock of H.264 video.
const clockRate = 90000

func toTicks(d time.Duration) int64 { return int64(d) * clockRate / int64(time.Second) }

// timeline maps camera timestamps onto one viewer track's RTP timestamps.
// The track's timestamps must keep growing with wall-clock time across
// camera switches and bursts, or the browser's jitter buffer either plays
// old frames slowly or stalls. Measured in Chromium (see
// shared/research/track-switch.md): a burst of cached frames squeezed just
// before "now" is shown within ~0.2 s and then runs at live latency.
type timeline struct {
	started  bool
	last     int64 // last RTP timestamp sent, unwrapped
	lastWall time.Time
	mapped   bool
	offset   int64 // RTP timestamp = camera ticks + offset
}

// unmap forgets the camera mapping; the next unit starts a new one. The
// output stays continuous.
func (t *timeline) unmap() { t.mapped = false }

// wall is the RTP timestamp that corresponds to now on this track.
func (t *timeline) wall(now time.Time) int64 {
	if !t.started {
		return int64(rand.Uint32() >> 1) // random start, as RFC 3550 asks
	}
	w := t.last + toTicks(now.Sub(t.lastWall))
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
			out[k] = w + int64(k)*clockRate/1000
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
	t.offset = last - toTicks(pts[n-1])
	t.mapped = true
	t.advance(last, now)
	return out
}

// live stamps one live unit.
func (t *timeline) live(pts time.Duration, now time.Time) int64 {
	if !t.mapped {
		t.offset = t.wall(now) - toTicks(pts)
		t.mapped = true
	}
	ts := toTicks(pts) + t.offset
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
