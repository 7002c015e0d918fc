package transcode

import (
	"time"

	"vigil/streams/media"
)

// frame is one input unit as written to ffmpeg: hub units are shared and
// immutable, so a rewritten timestamp travels beside the unit, not in it.
type frame struct {
	pts, dts time.Duration
	au       *media.AccessUnit
}

// Squeezing a catch-up burst: each unit gets squeezeStep of the timeline,
// at most squeezeMax in all, but never less than minStep each so that the
// 90 kHz timestamps stay distinct.
const (
	squeezeStep = time.Millisecond
	squeezeMax  = 50 * time.Millisecond
	minStep     = 100 * time.Microsecond
)

// squeeze stamps a burst of cached units (a GOP from the past, in decoding
// order) so that it ends at its own live edge and takes only a few
// milliseconds. ffmpeg turns the whole GOP out at once; with its real
// timestamps a WebRTC viewer would play it back in real time and stay a GOP
// behind for good. Squeezed, the catch-up frames are shown almost at once
// and the live frames after them follow at their normal times.
//
// The map is monotonic, so decoding order, presentation order and PTS >= DTS
// all survive. Times at or after the live edge (the last unit's DTS) are kept:
// the live units that follow have larger DTS and PTS than any squeezed time.
func squeeze(burst []*media.AccessUnit) []frame {
	out := make([]frame, len(burst))
	if len(burst) == 0 {
		return out
	}
	n := len(burst)
	edge := burst[n-1].DTS
	width := edge - burst[0].DTS
	span := min(time.Duration(n-1)*squeezeStep, squeezeMax)
	span = max(span, time.Duration(n-1)*minStep)

	ratio := 1.0
	if width > span {
		ratio = float64(span) / float64(width)
	}
	at := func(t time.Duration) time.Duration {
		if t >= edge {
			return t
		}
		return edge - time.Duration(float64(edge-t)*ratio)
	}
	for i, au := range burst {
		out[i] = frame{pts: at(au.PTS), dts: at(au.DTS), au: au}
	}
	return out
}

// live wraps units that need no squeezing.
func live(units []*media.AccessUnit) []frame {
	out := make([]frame, len(units))
	for i, au := range units {
		out[i] = frame{pts: au.PTS, dts: au.DTS, au: au}
	}
	return out
}
