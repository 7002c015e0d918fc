package clip

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// benchExport exports a whole recording of dur from a 2 Mbit/s, 25 fps
// camera (60 s segments, 2 s GOP), generated once.
func benchExport(b *testing.B, dur time.Duration) {
	root := b.TempDir()
	src, in := fakeFrames()
	writeRecording(b, filepath.Join(root, "cam"), t0, dur, time.Minute, 50, src, in)
	e := exporter(b, root)
	b.SetBytes(e.Store.(interface{ Usage() map[string]int64 }).Usage()["cam"])
	out := filepath.Join(b.TempDir(), "clip.mp4")
	req := Request{Camera: "cam", From: t0.Add(time.Second), To: t0.Add(dur - time.Second), Path: out}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Export(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(dur)/float64(perOp), "x_realtime")
}

func BenchmarkExport1Min(b *testing.B)  { benchExport(b, time.Minute) }
func BenchmarkExport10Min(b *testing.B) { benchExport(b, 10*time.Minute) }

// TestExportMemoryIndependentOfLength exports 1 and 10 minutes: what the
// export allocates must not grow with the clip (only the gap list and the
// per-segment readers could, and they are per segment, not per frame).
func TestExportMemoryIndependentOfLength(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 150 MB")
	}
	alloc := func(dur time.Duration) uint64 {
		root := t.TempDir()
		src, in := fakeFrames()
		writeRecording(t, filepath.Join(root, "cam"), t0, dur, time.Minute, 50, src, in)
		e := exporter(t, root)
		req := Request{Camera: "cam", From: t0, To: t0.Add(dur), Path: filepath.Join(t.TempDir(), "c.mp4")}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := e.Export(context.Background(), req)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if res.Frames != int(dur/frameDur) {
			t.Fatalf("%d frames, want %d", res.Frames, dur/frameDur)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	one, ten := alloc(time.Minute), alloc(10*time.Minute)
	t.Logf("allocated: 1 min %d B, 10 min %d B", one, ten)
	if ten > one*2 {
		t.Fatalf("a 10 min export allocates %d B, a 1 min one %d B: memory grows with length", ten, one)
	}
}
