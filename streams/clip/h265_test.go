package clip

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/internal/ffmpegtest"
	"vigil/streams/media"
	"vigil/streams/record"
	"vigil/streams/segstore"
)

// h265Units is 4 s of 320x180 H.265 at 25 fps (1 s GOP) as a camera's
// hub would carry it.
func h265Units(t *testing.T) ([]*media.AccessUnit, media.Track) {
	return ffmpegtest.H265(t, 320, 180, 4)
}

// recordUnits records units through the real recorder as camera "cam"
// under root with 2 s segments and returns the index and the wall time
// of the first unit.
func recordUnits(t *testing.T, root string, aus []*media.AccessUnit, track media.Track) (*segstore.Index, time.Time) {
	t.Helper()
	idx := openIndex(t, root)
	tr := progressTracker{idx, make(chan struct{}, 1)}
	h := hub.New(hub.Options{ID: "cam", QueueFrames: 5000, MaxGOPFrames: 5000})
	h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	rec, err := record.New(record.Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
		SegmentDuration: 2 * time.Second, Tracker: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rec.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// Units published before the recorder's reader exists would be lost.
	testwait.For(t, "the recorder's reader", func() bool { return h.Stats().Readers > 0 })
	base := time.Now()
	last := aus[len(aus)-1]
	// A keyframe after the last unit ends its fragment; being last, it
	// stays unwritten itself.
	next := &media.AccessUnit{PTS: last.PTS + 40*time.Millisecond, NALUs: aus[0].NALUs, Key: true}
	next.DTS = next.PTS
	for _, au := range append(aus, next) {
		au.Received = base.Add(au.PTS)
		h.Publish(au)
	}
	until := base.Add(next.PTS - time.Millisecond) // segments start on whole ms
	deadline := time.After(testwait.Cap)
	for {
		segs := idx.Segments("cam", time.Time{}, until.Add(time.Hour))
		if n := len(segs); n > 0 && !segs[n-1].End.Before(until) {
			return idx, base
		}
		select {
		case <-tr.ch:
		case <-deadline:
			t.Fatalf("recordings never reached %v: %+v", until, segs)
		}
	}
}

// TestExportH265 records a real H.265 stream and exports part of it: the
// clip is hevc in an hvc1 sample entry that ffprobe, ffmpeg and
// mediacommon all read.
func TestExportH265(t *testing.T) {
	aus, track := h265Units(t)
	root := t.TempDir()
	idx, base := recordUnits(t, root, aus, track)
	segs := idx.Segments("cam", time.Time{}, base.Add(time.Hour))
	if len(segs) < 2 {
		t.Fatalf("%d segments: %+v", len(segs), segs)
	}
	from := segs[0].Start.Add(500 * time.Millisecond)
	to := from.Add(3 * time.Second)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	exp := &Exporter{Store: idx, Now: func() time.Time { return base.Add(time.Hour) }}
	res, err := exp.Export(context.Background(), Request{Camera: "cam", From: from, To: to, Path: out})
	if err != nil {
		t.Fatal(err)
	}
	if !res.From.Equal(from) || !res.To.Equal(to) || len(res.Missing) != 0 {
		t.Fatalf("result %+v", res)
	}
	p := ffprobe(t, out)
	t.Logf("clip: %+v; ffprobe: %+v", res, p)
	if p.Codec != "hevc" || p.Width != 320 || p.Height != 180 || !p.FirstKey {
		t.Fatalf("ffprobe: %+v", p)
	}
	if math.Abs(p.Duration-3) > 0.04 {
		t.Errorf("duration %.3f s, want 3", p.Duration)
	}
	if p.AllFrames != res.Frames || p.Frames < 74 || p.Frames > 76 {
		t.Errorf("ffprobe frames %d presented, %d in media; clip has %d", p.Frames, p.AllFrames, res.Frames)
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b[:4096], []byte("hvc1")) {
		t.Error("the moov holds no hvc1 sample entry")
	}
	ffmpegDecodesCleanly(t, out)
	parseH265WithMediacommon(t, out, res.Frames)
}

// parseH265WithMediacommon checks that mediacommon reads the clip as one
// H.265 track of frames samples, starting on a sync sample.
func parseH265WithMediacommon(t *testing.T, path string, frames int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pr pmp4.Presentation
	if err := pr.Unmarshal(f); err != nil {
		t.Fatalf("mediacommon cannot parse the clip: %v", err)
	}
	if len(pr.Tracks) != 1 {
		t.Fatalf("%d tracks", len(pr.Tracks))
	}
	tr := pr.Tracks[0]
	if _, ok := tr.Codec.(*mp4.CodecH265); !ok || len(tr.Samples) != frames || tr.Samples[0].IsNonSyncSample {
		t.Fatalf("track codec %T, %d samples (want %d), first sync %v",
			tr.Codec, len(tr.Samples), frames, !tr.Samples[0].IsNonSyncSample)
	}
}

// A camera that moved from H.264 to H.265 (new firmware, a swapped
// camera) ends a clip at the switch: the rest is reported missing rather
// than written into a track of the other codec.
func TestExportStopsAtACodecChange(t *testing.T) {
	units, track := h265Units(t)
	root := t.TempDir()
	dir := filepath.Join(root, "cam")
	start := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	h264src, h264init := h264Frames(t, 320, 180)
	writeRecording(t, dir, start, 4*time.Second, 2*time.Second, 25, h264src, h264init)
	h265src := func(i int, _ bool) [][]byte { return units[i%len(units)].NALUs }
	h265init := segstore.Init{Timescale: segstore.Timescale, Width: 320, Height: 180,
		Codec: media.CodecH265, VPS: track.VPS, SPS: track.SPS, PPS: track.PPS}
	writeRecording(t, dir, start.Add(4*time.Second), 4*time.Second, 2*time.Second, 25, h265src, h265init)

	idx := openIndex(t, root)
	out := filepath.Join(t.TempDir(), "clip.mp4")
	exp := &Exporter{Store: idx, Now: func() time.Time { return start.Add(time.Hour) }}
	from, to := start.Add(time.Second), start.Add(7*time.Second)
	res, err := exp.Export(context.Background(), Request{Camera: "cam", From: from, To: to, Path: out})
	if err != nil {
		t.Fatal(err)
	}
	switchAt := start.Add(4 * time.Second)
	if len(res.Missing) != 1 || res.Missing[0].From.Sub(switchAt).Abs() > 50*time.Millisecond || !res.Missing[0].To.Equal(to) {
		t.Fatalf("missing %+v, want the H.265 part from %v to %v", res.Missing, switchAt, to)
	}
	p := ffprobe(t, out)
	if p.Codec != "h264" || math.Abs(p.Duration-3) > 0.05 {
		t.Fatalf("ffprobe %+v, want 3 s of h264", p)
	}
	ffmpegDecodesCleanly(t, out)
}
