package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/hub"
	"vigil/streams/internal/ffmpegtest"
	"vigil/streams/segstore"
)

// TestRecorderWritesBFrames records a real H.264 stream with B-frames:
// the samples are laid out in decoding order, each with its composition
// offset, so decode time plus offset gives back every unit's PTS.
func TestRecorderWritesBFrames(t *testing.T) {
	aus, track := ffmpegtest.H264BFrames(t, 320, 180, 3)
	root := t.TempDir()
	h := newHub()
	h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	tr := newTracker(t, root)
	states := make(chan RecState, 100)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
		SegmentDuration: time.Minute, Tracker: tr, OnState: func(s RecState) { states <- s }})
	base := time.Now()
	for _, au := range aus {
		au.Received = base.Add(au.PTS)
		h.Publish(au)
	}
	waitState(t, states, StateRecording, "")
	// The third keyframe ends the second GOP's fragment: wait for it.
	lastKey := 2 * 25
	tr.waitRecorded(t, "cam", base.Add(aus[0].PTS+aus[lastKey].DTS-aus[0].DTS-time.Millisecond))
	stop()

	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) != 1 {
		t.Fatalf("%d segments: %+v", len(segs), segs)
	}
	f, err := os.Open(segs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sr, err := segstore.NewReader(f, segs[0].Size)
	if err != nil {
		t.Fatal(err)
	}
	first := aus[0].DTS
	n := 0
	var fr segstore.Fragment
	for sr.Next(&fr) == nil {
		dts := fr.BaseTime
		for _, s := range fr.Samples {
			au := aus[n]
			if want := ticks(au.DTS - first); int64(dts) != want {
				t.Fatalf("sample %d: decode time %d, want %d", n, dts, want)
			}
			if want := ticks(au.PTS - first); int64(dts)+int64(s.PTSOffset) != want {
				t.Fatalf("sample %d: presentation time %d, want %d", n, int64(dts)+int64(s.PTSOffset), want)
			}
			dts += uint64(s.Duration)
			n++
		}
	}
	if n < lastKey {
		t.Fatalf("%d samples recorded, want at least %d", n, lastKey)
	}
}
