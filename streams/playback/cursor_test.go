package playback

import (
	"bytes"
	"testing"
)

func TestSplitAVCC(t *testing.T) {
	nalus, err := splitAVCC([]byte{0, 0, 0, 2, 0x67, 1, 0, 0, 0, 1, 0x65})
	if err != nil || len(nalus) != 2 || !bytes.Equal(nalus[0], []byte{0x67, 1}) || !bytes.Equal(nalus[1], []byte{0x65}) {
		t.Fatalf("%x %v", nalus, err)
	}
	for _, bad := range [][]byte{nil, {0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 5, 1}} {
		if _, err := splitAVCC(bad); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// FuzzSplitAVCC: any sample payload gives NAL units that exactly cover
// it, or an error; never a panic.
func FuzzSplitAVCC(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		nalus, err := splitAVCC(b)
		if err != nil {
			return
		}
		n := 0
		for _, x := range nalus {
			if len(x) == 0 {
				t.Fatal("empty NAL unit")
			}
			n += 4 + len(x)
		}
		if n != len(b) {
			t.Fatalf("NAL units cover %d of %d bytes", n, len(b))
		}
	})
}
