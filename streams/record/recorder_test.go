package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

func TestRecorderWritesKeyframeAlignedSegments(t *testing.T) {
	root := t.TempDir()
	h := newHub()
	tr := newTracker(t, root)
	states := make(chan RecState, 100)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
		SegmentDuration: 2 * time.Second, Tracker: tr, OnState: func(s RecState) { states <- s }})

	cam := newSynth(t, 64, 48, 25) // 1 s GOP
	for range 250 {                // 10 s
		h.Publish(cam.next(t))
	}
	waitState(t, states, StateRecording, "")
	tr.waitRecorded(t, "cam", cam.base.Add(cam.pts-1500*time.Millisecond))
	h.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnreachable})
	waitState(t, states, StateIdle, hub.ReasonUnreachable)
	stop()

	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) != 5 {
		t.Fatalf("%d segments, want 5 of 2 s: %+v", len(segs), segs)
	}
	for i, s := range segs {
		in, err := segstore.ScanFile(s.Path)
		if err != nil || !in.Intact() || s.Active {
			t.Fatalf("segment %d: %+v, %v", i, in, err)
		}
		// The offline status overtakes queued units, so the last segment may
		// lose part of its last second; the others are exact.
		if d := in.End.Sub(in.Start); d != 2*time.Second && (i < len(segs)-1 || d < time.Second) {
			t.Errorf("segment %d lasts %v, want 2s", i, d)
		}
		if !in.End.Equal(s.End) || in.Size != s.Size {
			t.Errorf("segment %d: index %v/%d, file %v/%d", i, s.End, s.Size, in.End, in.Size)
		}
		if i > 0 && !s.Start.Equal(segs[i-1].End) {
			t.Errorf("segment %d starts %v, previous ends %v: not contiguous", i, s.Start, segs[i-1].End)
		}
		if in.Init.Width != 64 || in.Init.Height != 48 {
			t.Errorf("segment %d is %dx%d", i, in.Init.Width, in.Init.Height)
		}
		assertStartsOnKeyframe(t, s.Path)
	}
	// A restart finds the same segments.
	again, _ := segstore.Open(segstore.Options{Root: root})
	if n := len(again.Segments("cam", time.Time{}, time.Now().Add(time.Hour))); n != 5 {
		t.Fatalf("after restart %d segments", n)
	}
}

func assertStartsOnKeyframe(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	sr, err := segstore.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var fr segstore.Fragment
	if err := sr.Next(&fr); err != nil || !fr.Samples[0].Key {
		t.Fatalf("%s: first fragment %v, key %v", path, err, err == nil && fr.Samples[0].Key)
	}
}

func TestRecorderNewSegmentOnResolutionChange(t *testing.T) {
	root := t.TempDir()
	h := newHub()
	tr := newTracker(t, root)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h, Tracker: tr})

	small := newSynth(t, 64, 48, 25)
	for range 30 {
		h.Publish(small.next(t))
	}
	big := newSynth(t, 96, 64, 25)
	big.pts, big.base = small.pts, small.base
	for range 30 {
		h.Publish(big.next(t))
	}
	tr.waitRecorded(t, "cam", big.base.Add(big.pts-1500*time.Millisecond))
	stop()
	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2: %+v", len(segs), segs)
	}
	for i, want := range []int{64, 96} {
		in, _ := segstore.ScanFile(segs[i].Path)
		if in.Init.Width != want {
			t.Errorf("segment %d width %d, want %d", i, in.Init.Width, want)
		}
	}
}

func TestRecorderGapClosesSegment(t *testing.T) {
	root := t.TempDir()
	h := newHub()
	tr := newTracker(t, root)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h, Tracker: tr})
	cam := newSynth(t, 64, 48, 25)
	for range 50 {
		h.Publish(cam.next(t))
	}
	cam.pts += 5 * time.Second // the reader skipped, or the camera stalled
	cam.n = 0                  // resume on a keyframe
	for range 50 {
		h.Publish(cam.next(t))
	}
	tr.waitRecorded(t, "cam", cam.base.Add(cam.pts-1500*time.Millisecond))
	stop()
	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2: %+v", len(segs), segs)
	}
	if gap := segs[1].Start.Sub(segs[0].End); gap < 4*time.Second || gap > 6*time.Second {
		t.Fatalf("gap between segments %v, want about 5 s", gap)
	}
}

func TestRecorderIdlesOnCodecItCannotWrite(t *testing.T) {
	for _, track := range []media.Track{
		{Codec: media.CodecH265, Width: 64, Height: 48, Reordered: true},
		{Codec: media.CodecH264, Width: 64, Height: 48, Reordered: true},
	} {
		root := t.TempDir()
		h := newHub()
		h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
		states := make(chan RecState, 16)
		rec, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
			Tracker: newTracker(t, root), OnState: func(s RecState) { states <- s }})
		cam := newSynth(t, 64, 48, 25)
		for range 30 {
			h.Publish(cam.next(t)) // never written: B-frames are not recorded
		}
		deadline := time.After(testwait.Cap)
		for st := rec.State(); st.Reason != ReasonUnsupportedCodec; st = rec.State() {
			select {
			case <-states:
			case <-deadline:
				t.Fatalf("%+v: state %+v, want idle/unsupported_codec", track, st)
			}
		}
		stop()
		if st := rec.State(); st.Segment != "" {
			t.Fatalf("a segment was opened: %+v", st)
		}
		if entries, _ := os.ReadDir(filepath.Join(root, "cam")); len(entries) != 0 {
			t.Fatalf("%+v: wrote %d files", track, len(entries))
		}
	}
}
