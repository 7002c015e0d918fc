package avc_test

import (
	"testing"
	"time"

	"vigil/streams/avc"
	"vigil/streams/internal/ffmpegtest"
)

// BenchmarkNormalize runs a camera's 720p stream (x264, 1 s GOP, SPS and
// PPS in-band before every IDR) through the normalizer, one access unit
// per op: the per-frame ingest cost. "GOP" is the stream as sent;
// "keyframes" only its IDRs, the units that get the parameter sets.
func BenchmarkNormalize(b *testing.B) {
	units := ffmpegtest.RawH264(b, 1280, 720, 2, 0)
	b.Run("GOP", func(b *testing.B) { benchNormalize(b, units) })
	var keys []ffmpegtest.RawUnit
	for _, u := range units {
		if u.NALUs[len(u.NALUs)-1][0]&0x1f == 5 {
			keys = append(keys, u)
		}
	}
	b.Run("keyframes", func(b *testing.B) { benchNormalize(b, keys) })
}

func benchNormalize(b *testing.B, units []ffmpegtest.RawUnit) {
	n := avc.New(nil)
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	if len(units) < 2 {
		b.Fatalf("%d units to loop over", len(units))
	}
	// Each lap continues the last at the stream's own pace.
	span := (units[len(units)-1].PTS - units[0].PTS) * int64(len(units)) / int64(len(units)-1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		u := units[i%len(units)]
		pts := u.PTS + int64(i/len(units))*span
		if n.Normalize(u.NALUs, pts, now.Add(time.Duration(i)*40*time.Millisecond)) == nil {
			b.Fatalf("unit %d dropped", i)
		}
	}
}
