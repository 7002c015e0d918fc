package media

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// cutTwice cuts each NAL unit in two payloads, back to back in one buffer.
func cutTwice(cuts *atomic.Int32) func([][]byte) [][]byte {
	return func(nalus [][]byte) [][]byte {
		cuts.Add(1)
		buf := make([]byte, 0, 64)
		var out [][]byte
		for _, n := range nalus {
			for _, half := range [][]byte{n[:len(n)/2], n[len(n)/2:]} {
				start := len(buf)
				buf = append(buf, half...)
				out = append(out, buf[start:len(buf):len(buf)])
			}
		}
		return out
	}
}

// TestDerivedSharedWhileKept: concurrent readers of one unit get the same
// payloads, cut once; another unit is cut again.
func TestDerivedSharedWhileKept(t *testing.T) {
	t.Parallel()
	var cuts atomic.Int32
	au := &AccessUnit{NALUs: [][]byte{{1, 2, 3, 4}, {5, 6}}}
	got := make([][][]byte, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = au.Derived(cutTwice(&cuts)) })
	}
	wg.Wait()
	for _, g := range got {
		if len(g) != 4 || &g[3][0] != &got[0][3][0] || string(g[0])+string(g[1]) != "\x01\x02\x03\x04" || string(g[3]) != "\x06" {
			t.Fatalf("readers got different payloads: %v", g)
		}
	}
	if cuts.Load() != 1 {
		t.Fatalf("cut %d times for one unit", cuts.Load())
	}
	(&AccessUnit{NALUs: [][]byte{{4, 5}}}).Derived(cutTwice(&cuts))
	if cuts.Load() != 2 {
		t.Fatal("a second unit was not cut")
	}
}

// TestDerivedNotKeptByTheUnit: once no caller keeps the payloads, the
// garbage collector takes them (the GOP cache holds no second copy of
// its frames) and the next caller cuts them again.
func TestDerivedNotKeptByTheUnit(t *testing.T) {
	var cuts atomic.Int32
	au := &AccessUnit{NALUs: [][]byte{{1, 2, 3, 4}}}
	au.Derived(cutTwice(&cuts)) // result dropped
	runtime.GC()
	runtime.GC()
	if got := au.Derived(cutTwice(&cuts)); cuts.Load() != 2 || string(got[1]) != "\x03\x04" {
		t.Fatalf("cut %d times, got %v: the unit kept its payloads", cuts.Load(), got)
	}
}

// TestDerivedApartNotShared: payloads not back to back in one buffer are
// returned, not shared.
func TestDerivedApartNotShared(t *testing.T) {
	t.Parallel()
	var cuts atomic.Int32
	apart := func(nalus [][]byte) [][]byte {
		cuts.Add(1)
		return [][]byte{append([]byte(nil), nalus[0]...), append([]byte(nil), nalus[0]...)}
	}
	au := &AccessUnit{NALUs: [][]byte{{1}}}
	a, b := au.Derived(apart), au.Derived(apart)
	if cuts.Load() != 2 || string(a[1]) != "\x01" || string(b[0]) != "\x01" {
		t.Fatalf("cut %d times", cuts.Load())
	}
}
