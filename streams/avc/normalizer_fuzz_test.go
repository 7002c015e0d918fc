package avc

import (
	"testing"
	"time"
)

// FuzzNormalize feeds arbitrary NAL units and timestamps: the normalizer
// must never panic, never emit a unit without a slice, and keep its output
// decoding times strictly increasing, never after the presentation time.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte{0x67, 0x42}, []byte{0x65, 0x88}, int64(0))
	f.Add(testSPS, idr, int64(1<<40))
	f.Add([]byte{0x06, 0xff}, pslice, int64(-5))
	f.Fuzz(func(t *testing.T, a, b []byte, pts int64) {
		n := Normalizer{MaxNALUSize: 1 << 10}
		n.SetParams(nil, testSPS, testPPS)
		var last time.Duration = -1
		now := t0
		for i := 0; i < 3; i++ {
			now = now.Add(40 * time.Millisecond)
			au := n.Normalize([][]byte{a, b}, pts+int64(i)*3600, now)
			if au == nil {
				continue
			}
			if !hasSlice(au.NALUs) {
				t.Fatal("unit without slice")
			}
			if au.DTS <= last || au.PTS < au.DTS {
				t.Fatalf("DTS %v after %v, PTS %v", au.DTS, last, au.PTS)
			}
			last = au.DTS
		}
	})
}

// hasSlice reports whether the unit holds a coded picture: a non-IDR
// slice, data partition A or an IDR slice (types 1, 2, 5), read here from
// the header, not through Codec.Kind, so that the fuzz target checks it.
func hasSlice(nalus [][]byte) bool {
	for _, u := range nalus {
		if typ := u[0] & 0x1f; typ == 1 || typ == 2 || typ == 5 {
			return true
		}
	}
	return false
}
