package clip

import (
	"errors"
	"time"

	"vigil/streams/segstore"
)

// origin is where a clip starts: the keyframe at or before "from" (or the
// first keyframe after it, when recording began later). It is held as
// ticks after a segment start, so it converts without rounding.
type origin struct {
	ref   time.Time // start of the segment holding the keyframe
	ticks int64     // the keyframe's decode time in that segment, 90 kHz
	seg   int       // index of that segment
	init  segstore.Init
}

var errNoKeyframe = errors.New("clip: no keyframe in range")

// findOrigin scans the first segments' sample tables for the keyframe a
// player needs to start at from.
func findOrigin(segs []segstore.Segment, from time.Time) (origin, error) {
	for i, s := range segs {
		if o, ok := keyframeIn(s, from); ok {
			o.seg = i
			return o, nil
		}
	}
	return origin{}, errNoKeyframe
}

// keyframeIn returns the last keyframe at or before from in s, or its
// first keyframe when all are after from. It reads s as the export will
// (fragWalker), so the keyframe is one the clip holds; a segment that
// cannot be read holds none.
func keyframeIn(s segstore.Segment, from time.Time) (origin, bool) {
	w, err := openWalker(s, nil)
	if err != nil {
		return origin{}, false
	}
	defer w.close()
	o := origin{ref: s.Start, init: w.sr.Init}
	fromT := durTicks(from.Sub(s.Start))
	found := false
	var fr segstore.Fragment
	for w.next(&fr) == nil {
		dts := int64(fr.BaseTime)
		for _, smp := range fr.Samples {
			t := scale(dts, w.sr.Init.Timescale)
			dts += int64(smp.Duration)
			if !smp.Key {
				continue
			}
			if t > fromT && found {
				return o, true
			}
			if t <= fromT || !found {
				o.ticks, found = t, true
			}
			if t > fromT {
				return o, true
			}
		}
	}
	return o, found
}
