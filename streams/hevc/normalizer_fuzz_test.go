package hevc

import (
	"testing"
	"time"
)

// FuzzNormalize feeds arbitrary NAL units and timestamps: the normalizer
// must never panic, never emit a unit without a slice, and keep decoding
// times strictly increasing and never after the presentation time.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte{0x40, 0x01, 0x0c}, []byte{0x26, 0x01, 0xaf}, int64(0))
	f.Add([]byte{0x02, 0x01, 0xd0}, []byte{0x4e, 0x01, 0x05}, int64(1<<40))
	f.Fuzz(func(t *testing.T, a, b []byte, pts int64) {
		n := Normalizer{MaxNALUSize: 1 << 10}
		n.SetParams([]byte{0x40, 0x01}, []byte{0x42, 0x01}, []byte{0x44, 0x01})
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

// hasSlice reports whether the unit holds a coded picture: a VCL NAL unit
// (types 0-31), read here from the header, not through Codec.Kind, so that
// the fuzz target checks it.
func hasSlice(nalus [][]byte) bool {
	for _, u := range nalus {
		if u[0]>>1&0x3f < 32 {
			return true
		}
	}
	return false
}
