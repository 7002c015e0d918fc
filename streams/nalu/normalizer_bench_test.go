package nalu_test

import (
	"testing"
	"time"

	"vigil/streams/internal/ffmpegtest"
)

// BenchmarkNormalize runs a camera's 720p stream (x264 or x265, 1 s GOP,
// parameter sets in-band before every keyframe) through the normalizer,
// one access unit per op: the per-frame ingest cost. "GOP" is the stream
// as sent; "keyframes" only its keyframes, the units that get the
// parameter sets.
func BenchmarkNormalize(b *testing.B) {
	for _, c := range codecs {
		units := c.raw(b, 1280, 720, 0)
		var keys []ffmpegtest.RawUnit
		for _, u := range units {
			if c.isKey(c.typ(u.NALUs[len(u.NALUs)-1])) {
				keys = append(keys, u)
			}
		}
		b.Run(c.name+"/GOP", func(b *testing.B) { benchNormalize(b, c, units) })
		b.Run(c.name+"/keyframes", func(b *testing.B) { benchNormalize(b, c, keys) })
	}
}

func benchNormalize(b *testing.B, c codecCase, units []ffmpegtest.RawUnit) {
	n := c.newNorm(0)
	if len(units) < 2 {
		b.Fatalf("%d units to loop over", len(units))
	}
	// Each lap continues the last at the stream's own pace.
	span := (units[len(units)-1].PTS - units[0].PTS) * int64(len(units)) / int64(len(units)-1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		u := units[i%len(units)]
		pts := u.PTS + int64(i/len(units))*span
		if n.Normalize(u.NALUs, pts, t0.Add(time.Duration(i)*40*time.Millisecond)) == nil {
			b.Fatalf("unit %d dropped", i)
		}
	}
}
