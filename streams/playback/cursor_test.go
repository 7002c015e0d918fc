package playback

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"vigil/streams/segstore"
)

func TestSplitAVCC(t *testing.T) {
	t.Parallel()
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

// countingStore is the real index, counting the segments each query
// copies.
type countingStore struct {
	Store
	most atomic.Int64
}

func (c *countingStore) Segments(camera string, from, to time.Time) []segstore.Segment {
	segs := c.Store.Segments(camera, from, to)
	for n := int64(len(segs)); ; {
		if m := c.most.Load(); n <= m || c.most.CompareAndSwap(m, n) {
			return segs
		}
	}
}

// Starting at the beginning of a long recording copies an hour of
// segments from the index, not all of them.
func TestSeekCopiesAWindowOfSegments(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), time.Now().Add(-3*time.Hour).Truncate(time.Second)
	writeFrames(t, root, "cam", t0, 0, 25*60*100, 250, 25*60) // 100 one-minute segments
	x := &countingStore{Store: openIndex(t, root)}
	p := startPlayer(t, Options{Store: x, Camera: "cam", Start: frameAt(t0, 25*60*2-300), Speed: 16})
	v := watch(t, p)
	for n := 0; n < 25*60*2; { // into the third segment
		n = counterOf(v.next())
	}
	if most := x.most.Load(); most > 62 {
		t.Fatalf("a query copied %d segments", most)
	}
}
