package playback

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"vigil/streams/segstore"
)

// writeBusyRecording writes 10 minutes of a 2 Mbit/s camera (40 KB
// keyframes, 9.4 KB P-frames, 2 s GOP, 25 fps) as the recorder does: one
// minute segments, one fragment per GOP.
func writeBusyRecording(b *testing.B, root string, t0 time.Time) {
	dir := filepath.Join(root, "cam")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	key, p := make([]byte, 40_000), make([]byte, 9_400)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	key[0], p[0] = 0x65, 0x41
	var buf []byte
	for seg := range 10 {
		buf = segstore.AppendInit(buf[:0], testInit)
		for g := range 30 {
			samples := make([]segstore.OutSample, 50)
			for i := range samples {
				samples[i] = segstore.OutSample{Duration: 3600, NALUs: [][]byte{p}}
			}
			samples[0] = segstore.OutSample{Duration: 3600, Key: true, NALUs: [][]byte{testInit.SPS, testInit.PPS, key}}
			buf = segstore.AppendFragment(buf, uint32(g+1), uint64(g*50*3600), samples)
		}
		name := filepath.Join(dir, segstore.FileName(t0.Add(time.Duration(seg)*time.Minute)))
		if err := os.WriteFile(name, buf, 0o640); err != nil {
			b.Fatal(err)
		}
	}
}

// reportP95 reports the median and 95th percentile of ds.
func reportP95(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkSeekToFirstFrame measures a seek to a random time of 10
// minutes on disk until the first frame of the new position is sent.
func BenchmarkSeekToFirstFrame(b *testing.B) {
	root, t0 := b.TempDir(), past()
	writeBusyRecording(b, root, t0)
	first := make(chan Status, 1)
	p := startPlayer(b, Options{Store: openIndex(b, root), Camera: "cam", Start: t0, OnChange: func(s Status) {
		select {
		case first <- s:
		default:
		}
	}})
	<-first
	r := rand.New(rand.NewPCG(3, 4))
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		at := t0.Add(time.Duration(r.Int64N(int64(9 * time.Minute))))
		start := time.Now()
		if err := p.Seek(at); err != nil {
			b.Fatal(err)
		}
		for s := <-first; s.Time.Before(at.Add(-2*time.Second)) || s.Time.After(at); s = <-first {
		}
		ds = append(ds, time.Since(start))
	}
	reportP95(b, ds)
}

// BenchmarkSpeedChange measures a change between 1× and 4× until the next
// frame, sent on the new schedule, reaches a viewer: it includes the wait
// for that frame's turn (up to 40 ms at 1×, 10 ms at 4×).
func BenchmarkSpeedChange(b *testing.B) {
	root, t0 := b.TempDir(), past()
	writeBusyRecording(b, root, t0)
	p := startPlayer(b, Options{Store: openIndex(b, root), Camera: "cam", Start: t0})
	v := watch(b, p)
	v.next()
	speeds := []float64{4, 1}
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		v.next() // a frame was just sent: the change lands between two frames
		start := time.Now()
		if err := p.Clock().SetSpeed(speeds[i%2]); err != nil {
			b.Fatal(err)
		}
		v.next()
		ds = append(ds, time.Since(start))
	}
	reportP95(b, ds)
}
