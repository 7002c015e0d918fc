package record

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/segstore"
	"vigil/streams/sim"
	"vigil/streams/source"
)

// nolossRun is how long TestRecordingLosesNoFrame records: short in the
// suite, the five minutes by hand (-noloss-run 5m).
var nolossRun = flag.Duration("noloss-run", 20*time.Second, "how long TestRecordingLosesNoFrame records")

// counterTag marks the frame counter SEI among a unit's NAL units. The
// counter follows as 16 hex digits: no zero bytes, so no emulation
// prevention is needed and the tag survives RTP as sent.
var counterTag = []byte("vigil-rec-count:")

// counterSEI is an H.264 SEI (user_data_unregistered, payload type 5)
// carrying frame n, as the simulated camera puts first in every unit.
func counterSEI(n int64) []byte {
	payload := append(append([]byte{}, counterTag...), fmt.Sprintf("%016x", n)...)
	return append(append([]byte{6, 5, byte(len(payload))}, payload...), 0x80)
}

// frameCounter returns the counter of an AVCC sample, or false.
func frameCounter(sample []byte) (int64, bool) {
	for len(sample) >= 4 {
		n := int(binary.BigEndian.Uint32(sample))
		if n > len(sample)-4 {
			return 0, false
		}
		nalu := sample[4 : 4+n]
		sample = sample[4+n:]
		if len(nalu) < 3 || nalu[0]&0x1f != 6 {
			continue
		}
		if rest, ok := bytes.CutPrefix(nalu[3:], counterTag); ok && len(rest) >= 16 {
			v, err := strconv.ParseInt(string(rest[:16]), 16, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// TestRecordingLosesNoFrame records a simulated camera over real RTSP,
// each access unit carrying a frame counter, while two goroutines keep
// both cores busy; read back from the segments, every counter from the
// first recorded to the last is there once, in order.
func TestRecordingLosesNoFrame(t *testing.T) {
	run := *nolossRun
	// The counter counts the units sent: a camera late on its ticks skips
	// frame numbers, which is the camera's loss, not the recorder's.
	var sent atomic.Int64
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"cam0"}, GOP: 50,
		Configure: func(_ string, o *sim.CameraOptions) {
			o.Tag = func(int64, time.Time) []byte { return counterSEI(sent.Add(1) - 1) }
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := hub.New(hub.Options{ID: "cam0"}) // the gateway's defaults
	src, err := source.New(source.Options{ID: "cam0", URL: srv.URL("cam0"), Transport: "tcp", Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	tr := newTracker(t, root)
	rec, err := New(Options{CameraID: "cam0", Dir: filepath.Join(root, "cam0"), Hub: h,
		SegmentDuration: 2 * time.Second, Tracker: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { src.Run(ctx) })
	wg.Go(func() { rec.Run(ctx) })
	var spins atomic.Int64
	for range 2 {
		wg.Go(func() { busy(ctx, &spins) })
	}
	start := time.Now()
	// testwait gives up after its cap; a run by hand lasts longer.
	for !testwait.Until(t, func() bool { return recordedUntil(tr, "cam0", start.Add(run)) }) {
		if time.Since(start) > run+time.Minute {
			t.Fatalf("the recordings never reached the end of the %v run", run)
		}
	}
	cancel()
	wg.Wait()
	if spins.Load() == 0 {
		t.Fatal("the load goroutines never ran")
	}

	counters := readCounters(t, tr.idx.Segments("cam0", time.Time{}, time.Now().Add(time.Hour)))
	// Units sent before the source was playing reach no one; those
	// after the recorder stopped are not recorded: the run in between
	// must be whole.
	if len(counters) < 100 {
		t.Fatalf("%d frames recorded in %v; the camera sent %d", len(counters), run, sent.Load())
	}
	for i := 1; i < len(counters); i++ {
		if counters[i] != counters[i-1]+1 {
			t.Fatalf("frame %d follows frame %d: %d frames lost (of %d recorded, %d to %d)",
				counters[i], counters[i-1], counters[i]-counters[i-1]-1, len(counters), counters[0], counters[len(counters)-1])
		}
	}
	t.Logf("%d consecutive frames recorded (%d to %d, %d sent) under load, %d segments", len(counters),
		counters[0], counters[len(counters)-1], sent.Load(), len(tr.idx.Segments("cam0", time.Time{}, time.Now().Add(time.Hour))))
}

// recordedUntil reports whether the camera's recordings reach until.
func recordedUntil(tr *tracker, camera string, until time.Time) bool {
	segs := tr.idx.Segments(camera, time.Time{}, until.Add(time.Hour))
	return len(segs) > 0 && !segs[len(segs)-1].End.Before(until)
}

// busy spins until ctx ends, yielding now and then so it is preemptible.
func busy(ctx context.Context, spins *atomic.Int64) {
	x := uint64(1)
	for ctx.Err() == nil {
		for range 1 << 16 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		spins.Add(int64(x & 1))
		spins.Add(1)
		runtime.Gosched()
	}
}

// readCounters reads every sample of segs, in order, and returns their
// frame counters; a sample without one fails the test.
func readCounters(t *testing.T, segs []segstore.Segment) []int64 {
	t.Helper()
	var out []int64
	for _, s := range segs {
		f, err := os.Open(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := segstore.NewReader(f, s.Size)
		if err != nil {
			t.Fatal(err)
		}
		var fr segstore.Fragment
		for sr.Next(&fr) == nil {
			for _, smp := range fr.Samples {
				b := make([]byte, smp.Size)
				if _, err := f.ReadAt(b, smp.Offset); err != nil {
					t.Fatal(err)
				}
				n, ok := frameCounter(b)
				if !ok {
					t.Fatalf("%s: a sample at %d without a frame counter", s.Path, smp.Offset)
				}
				out = append(out, n)
			}
		}
		f.Close()
	}
	return out
}
