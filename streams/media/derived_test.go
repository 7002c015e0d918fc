package media

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestDerivedOncePerUnit: concurrent readers of one unit get the same
// payloads, cut once; another unit is cut again.
func TestDerivedOncePerUnit(t *testing.T) {
	var cuts atomic.Int32
	cut := func(nalus [][]byte) [][]byte {
		cuts.Add(1)
		return [][]byte{append([]byte{0xff}, nalus[0]...)}
	}
	au := &AccessUnit{NALUs: [][]byte{{1, 2, 3}}}
	got := make([][][]byte, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = au.Derived(cut) })
	}
	wg.Wait()
	for _, g := range got {
		if &g[0][0] != &got[0][0][0] || string(g[0]) != "\xff\x01\x02\x03" {
			t.Fatalf("readers got different payloads: % x", g[0])
		}
	}
	if cuts.Load() != 1 {
		t.Fatalf("cut %d times for one unit", cuts.Load())
	}
	(&AccessUnit{NALUs: [][]byte{{4}}}).Derived(cut)
	if cuts.Load() != 2 {
		t.Fatal("a second unit was not cut")
	}
}
