// Package audio normalizes camera audio: empty and oversized frames are
// dropped and counted, and timestamps are made monotonic across
// wrap-around and reconnects, as the video normalizers do.
package audio

import (
	"time"

	"vigil/streams/clock"
	"vigil/streams/media"
)

// DefaultMaxFrameSize bounds one audio frame. The largest legal frames
// (AAC at 6 channels, 120 ms Opus) are a few kilobytes.
const DefaultMaxFrameSize = 16 << 10

// Counters count what the normalizer had to throw away.
type Counters struct {
	BrokenFrames uint64 // empty or oversized
	Rebases      uint64
}

// Normalizer turns the audio frames of one camera into media.AccessUnits.
// One source goroutine owns it.
type Normalizer struct {
	// ClockRate is the RTP clock of the track, in Hz.
	ClockRate int
	// MaxFrameSize overrides DefaultMaxFrameSize when positive.
	MaxFrameSize int

	// Clock, when set, is the timeline to continue across sessions.
	Clock    *clock.Clock
	own      clock.Clock
	counters Counters
}

// Reconnected makes the next timestamp continue from the last one.
func (n *Normalizer) Reconnected() { n.clk().Reset() }

func (n *Normalizer) clk() *clock.Clock {
	if n.Clock != nil {
		return n.Clock
	}
	return &n.own
}

// Counters returns what was dropped so far.
func (n *Normalizer) Counters() Counters { return n.counters }

// Normalize converts the frames of one RTP packet, with the packet's
// timestamp in ClockRate ticks, into one unit. It returns nil when no
// frame is left.
func (n *Normalizer) Normalize(frames [][]byte, ticks int64, now time.Time) *media.AccessUnit {
	max := n.MaxFrameSize
	if max <= 0 {
		max = DefaultMaxFrameSize
	}
	out := frames[:0:0]
	for _, f := range frames {
		if len(f) == 0 || len(f) > max {
			n.counters.BrokenFrames++
			continue
		}
		out = append(out, f)
	}
	if len(out) == 0 || n.ClockRate <= 0 {
		return nil
	}
	pts := n.clk().Map(ticks, int64(n.ClockRate), now)
	n.counters.Rebases = n.clk().Rebases()
	return &media.AccessUnit{PTS: pts, DTS: pts, Received: now, NALUs: out, Key: true}
}
