package clip

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/record"
	"vigil/streams/segstore"
	"vigil/streams/sim"
	"vigil/streams/source"
)

// progressTracker forwards to the index and signals each report.
type progressTracker struct {
	*segstore.Index
	ch chan struct{}
}

func (p progressTracker) RecordingProgress(camera, path string, start, end time.Time, size int64, active bool) {
	p.Index.RecordingProgress(camera, path, start, end, size, active)
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

// TestRecordSimCameraAndExport is the whole path: a simulated camera over
// real RTSP on loopback, the source, the hub, the recorder writing 2 s
// segments, the index, and an export checked by ffprobe, ffmpeg and
// mediacommon.
func TestRecordSimCameraAndExport(t *testing.T) {
	needTool(t, "ffprobe")
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"cam0"}, GOP: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := hub.New(hub.Options{ID: "cam0"})
	src, err := source.New(source.Options{ID: "cam0", URL: srv.URL("cam0"), Transport: "tcp", Hub: h})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "rec")
	idx, err := segstore.Open(segstore.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	tr := progressTracker{idx, make(chan struct{}, 1)}
	rec, err := record.New(record.Options{CameraID: "cam0", Dir: filepath.Join(root, "cam0"), Hub: h,
		SegmentDuration: 2 * time.Second, Tracker: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { src.Run(ctx) })
	wg.Go(func() { rec.Run(ctx) })

	// Record until 7 s are on disk.
	deadline := time.After(testwait.Cap)
	for recorded(idx) < 7*time.Second {
		select {
		case <-tr.ch:
		case <-deadline:
			t.Fatalf("recorded only %v", recorded(idx))
		}
	}
	// Export up to the live edge while the recorder writes: the active
	// segment is read up to its last complete fragment.
	segs := idx.Segments("cam0", time.Time{}, time.Now())
	if !segs[len(segs)-1].Active {
		t.Fatalf("newest segment not active: %+v", segs[len(segs)-1])
	}
	live := filepath.Join(t.TempDir(), "live.mp4")
	lres, err := (&Exporter{Store: idx}).Export(ctx, Request{Camera: "cam0",
		From: segs[len(segs)-1].Start.Add(-time.Second), To: time.Now(), Path: live})
	if err != nil {
		t.Fatalf("export at the live edge: %v", err)
	}
	ffmpegDecodesCleanly(t, live)
	t.Logf("live export: %d frames, missing %v", lres.Frames, lres.Missing)
	cancel()
	wg.Wait()
	if st := rec.State(); st.State != record.StateStopped {
		t.Fatalf("recorder state %+v after cancel", st)
	}

	segs = idx.Segments("cam0", time.Time{}, time.Now())
	if len(segs) < 3 {
		t.Fatalf("%d segments: %+v", len(segs), segs)
	}
	for _, s := range segs[:len(segs)-1] {
		// Cuts happen at the first keyframe at or after 2 s.
		if d := s.End.Sub(s.Start); d < 2*time.Second || d >= 4*time.Second || s.Active || !s.Intact {
			t.Errorf("segment %s: %v, active %v, intact %v", filepath.Base(s.Path), d, s.Active, s.Intact)
		}
	}
	from := segs[0].Start.Add(1300 * time.Millisecond)
	to := from.Add(4 * time.Second)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	res, err := (&Exporter{Store: idx}).Export(context.Background(),
		Request{Camera: "cam0", From: from, To: to, Path: out})
	if err != nil {
		t.Fatal(err)
	}
	if !res.From.Equal(from) || !res.To.Equal(to) || len(res.Missing) != 0 {
		t.Fatalf("result %+v", res)
	}
	p := ffprobe(t, out)
	t.Logf("clip: %+v; ffprobe: %+v", res, p)
	if p.Codec != "h264" || p.Width != 640 || p.Height != 360 || !p.FirstKey {
		t.Fatalf("ffprobe: %+v", p)
	}
	if math.Abs(p.Duration-4) > 0.04 {
		t.Errorf("duration %.3f s, want 4", p.Duration)
	}
	// The media holds at most one GOP (2 s) of pre-roll before "from".
	if pre := res.From.Sub(res.MediaStart); pre < 0 || pre >= 2*time.Second {
		t.Errorf("media starts %v before from", pre)
	}
	// A loaded machine makes the simulated camera skip frames, so the
	// count to expect is what was recorded in [from, to), not 4 s * 25.
	want := framesIn(t, segs, from, to)
	if p.AllFrames != res.Frames || p.Frames < want-1 || p.Frames > want+1 || want < 80 {
		t.Errorf("ffprobe frames %d presented, %d in media; clip has %d, recording %d in range",
			p.Frames, p.AllFrames, res.Frames, want)
	}
	parseWithMediacommon(t, out, res.Frames)
	ffmpegDecodesCleanly(t, out)
}

// framesIn counts the recorded frames that start in [from, to).
func framesIn(t *testing.T, segs []segstore.Segment, from, to time.Time) int {
	n := 0
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
			ticks := int64(fr.BaseTime)
			for _, smp := range fr.Samples {
				at := s.Start.Add(ticksDur(ticks))
				if !at.Before(from) && at.Before(to) {
					n++
				}
				ticks += int64(smp.Duration)
			}
		}
		f.Close()
	}
	return n
}

// recorded is how much video the index holds.
func recorded(idx *segstore.Index) time.Duration {
	var d time.Duration
	for _, s := range idx.Segments("cam0", time.Time{}, time.Now().Add(time.Hour)) {
		d += s.End.Sub(s.Start)
	}
	return d
}

// The index is what the gateway hands to recorders and exporters.
var (
	_ Store          = (*segstore.Index)(nil)
	_ record.Tracker = (*segstore.Index)(nil)
)
