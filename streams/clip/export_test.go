package clip

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func exporter(t testing.TB, root string) *Exporter {
	return &Exporter{Store: openIndex(t, root), Now: func() time.Time { return t0.Add(24 * time.Hour) }}
}

func TestExportRangeAcrossSegments(t *testing.T) {
	root := t.TempDir()
	src, in := h264Frames(t, 320, 180)
	writeRecording(t, filepath.Join(root, "cam"), t0, 10*time.Second, 2*time.Second, 25, src, in)
	e := exporter(t, root)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	from, to := t0.Add(2500*time.Millisecond), t0.Add(7300*time.Millisecond)
	var progress []float64
	res, err := e.Export(context.Background(), Request{Camera: "cam", From: from, To: to, Path: out,
		Progress: func(f float64) { progress = append(progress, f) }})
	if err != nil {
		t.Fatal(err)
	}
	// The media starts at the keyframe at 2 s; frames up to 7.28 s.
	if !res.From.Equal(from) || !res.To.Equal(to) || !res.MediaStart.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("result %v..%v media from %v", res.From, res.To, res.MediaStart)
	}
	if res.Frames != 133 || res.Keyframes != 6 || len(res.Missing) != 0 || len(res.Covered) != 1 {
		t.Fatalf("result %+v", res)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 1 {
		t.Fatalf("progress %v", progress)
	}
	if st, _ := os.Stat(out); st.Size() != res.Size {
		t.Fatalf("file %d bytes, result says %d", st.Size(), res.Size)
	}
	if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
		t.Fatal("temporary file left behind")
	}
	parseWithMediacommon(t, out, res.Frames)
	p := ffprobe(t, out)
	if p.Codec != "h264" || p.Width != 320 || p.Height != 180 || !p.FirstKey || p.FirstType != "I" {
		t.Fatalf("ffprobe: %+v", p)
	}
	if math.Abs(p.Duration-4.8) > 0.001 {
		t.Errorf("duration %.3f s, want 4.8 (the requested range)", p.Duration)
	}
	// Presented: the 4.8 s asked for at 25 fps. In the media: from the
	// keyframe at 2 s, 12 frames of pre-roll more.
	if p.Frames != 120 || p.AllFrames != res.Frames {
		t.Errorf("ffprobe: %d frames presented, %d in the media; want 120 and %d", p.Frames, p.AllFrames, res.Frames)
	}
	ffmpegDecodesCleanly(t, out)
}

func TestExportReportsGaps(t *testing.T) {
	root := t.TempDir()
	src, in := h264Frames(t, 160, 96)
	dir := filepath.Join(root, "cam")
	writeRecording(t, dir, t0, 4*time.Second, 2*time.Second, 25, src, in)
	writeRecording(t, dir, t0.Add(7*time.Second), 2*time.Second, 2*time.Second, 25, src, in)
	e := exporter(t, root)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	res, err := e.Export(context.Background(), Request{Camera: "cam", From: t0.Add(-time.Second),
		To: t0.Add(10 * time.Second), Path: out})
	if err != nil {
		t.Fatal(err)
	}
	want := []Range{{t0.Add(-time.Second), t0, ReasonNotRecorded}, {t0.Add(4 * time.Second), t0.Add(7 * time.Second), ReasonNotRecorded},
		{t0.Add(9 * time.Second), t0.Add(10 * time.Second), ReasonNotRecorded}}
	if len(res.Missing) != len(want) {
		t.Fatalf("missing %v, want %v", res.Missing, want)
	}
	for i := range want {
		if !res.Missing[i].From.Equal(want[i].From) || !res.Missing[i].To.Equal(want[i].To) || res.Missing[i].Reason != want[i].Reason {
			t.Fatalf("missing %v, want %v", res.Missing, want)
		}
	}
	if len(res.Covered) != 2 || !res.Covered[1].From.Equal(t0.Add(7*time.Second)) {
		t.Fatalf("covered %v", res.Covered)
	}
	if res.Frames != 150 || !res.From.Equal(t0) || !res.To.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("result %+v", res)
	}
	// The gap keeps the clip on the wall clock: 9 s from the first frame.
	p := ffprobe(t, out)
	if math.Abs(p.Duration-9) > 0.05 {
		t.Errorf("duration %.3f, want 9", p.Duration)
	}
	parseWithMediacommon(t, out, res.Frames)
	ffmpegDecodesCleanly(t, out)
}

func TestExportSurvivesTornSegment(t *testing.T) {
	root := t.TempDir()
	src, in := h264Frames(t, 160, 96)
	dir := filepath.Join(root, "cam")
	writeRecording(t, dir, t0, 6*time.Second, 2*time.Second, 25, src, in)
	// A crash mid-write: a copy of the middle segment, cut in half, as
	// the newest file.
	b, _ := os.ReadFile(filepath.Join(dir, "20261129T060002.000Z.mp4"))
	torn := filepath.Join(dir, "20261129T060006.000Z.mp4")
	os.WriteFile(torn, b[:len(b)/2], 0o640)

	e := exporter(t, root) // opening the index repairs the torn file
	out := filepath.Join(t.TempDir(), "clip.mp4")
	res, err := e.Export(context.Background(), Request{Camera: "cam", From: t0, To: t0.Add(10 * time.Second), Path: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames < 150 || len(res.Missing) != 1 {
		t.Fatalf("result %+v", res)
	}
	ffmpegDecodesCleanly(t, out)
}

func TestExportErrors(t *testing.T) {
	root := t.TempDir()
	src, in := fakeFrames()
	writeRecording(t, filepath.Join(root, "cam"), t0, 4*time.Second, 2*time.Second, 50, src, in)
	e := exporter(t, root)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	now := e.Now()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		camera   string
		from, to time.Time
		want     error
	}{
		{"nothing recorded", context.Background(), "cam", t0.Add(time.Hour), t0.Add(2 * time.Hour), ErrNoRecording},
		{"unknown camera", context.Background(), "other", t0, t0.Add(time.Second), ErrNoRecording},
		{"empty", context.Background(), "cam", t0.Add(time.Second), t0.Add(time.Second), ErrEmptyRange},
		{"reversed", context.Background(), "cam", t0.Add(2 * time.Second), t0, ErrEmptyRange},
		{"future", context.Background(), "cam", now.Add(time.Minute), now.Add(time.Hour), ErrFuture},
		{"too long", context.Background(), "cam", t0, t0.Add(2 * time.Hour), ErrTooLong},
		{"canceled", canceled, "cam", t0, t0.Add(4 * time.Second), context.Canceled},
	} {
		_, err := e.Export(tc.ctx, Request{Camera: tc.camera, From: tc.from, To: tc.to, Path: out})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Fatalf("%s: a file was left at %s", tc.name, out)
		}
		if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
			t.Fatalf("%s: a temporary file was left", tc.name)
		}
	}
}
