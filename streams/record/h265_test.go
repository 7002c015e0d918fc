package record

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/hub"
	"vigil/streams/internal/ffmpegtest"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

// h265Units is 4 s of 320x180 H.265 at 25 fps (1 s GOP) as a camera's
// hub would carry it.
func h265Units(t *testing.T) ([]*media.AccessUnit, media.Track) {
	return ffmpegtest.H265(t, 320, 180, 4)
}

// ffprobeVideo returns the codec and size ffprobe finds in a file.
func ffprobeVideo(t *testing.T, path string) (codec string, w, h int) {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not installed: ", err)
	}
	out, err := exec.Command(bin, "-v", "error", "-select_streams", "v:0", "-show_streams",
		"-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var s struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Streams) != 1 {
		t.Fatalf("ffprobe output %s: %v", out, err)
	}
	return s.Streams[0].CodecName, s.Streams[0].Width, s.Streams[0].Height
}

func TestRecorderWritesH265(t *testing.T) {
	aus, track := h265Units(t)
	root := t.TempDir()
	h := newHub()
	h.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	tr := newTracker(t, root)
	states := make(chan RecState, 100)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
		SegmentDuration: 2 * time.Second, Tracker: tr, OnState: func(s RecState) { states <- s }})
	base := time.Now()
	for _, au := range aus {
		au.Received = base.Add(au.PTS)
		h.Publish(au)
	}
	waitState(t, states, StateRecording, "")
	last := aus[len(aus)-1].PTS
	tr.waitRecorded(t, "cam", base.Add(last-1500*time.Millisecond))
	h.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnreachable})
	waitState(t, states, StateIdle, hub.ReasonUnreachable)
	stop()

	segs := tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))
	if len(segs) != 2 {
		t.Fatalf("%d segments, want 2 of 2 s: %+v", len(segs), segs)
	}
	for i, s := range segs {
		in, err := segstore.ScanFile(s.Path)
		if err != nil || !in.Intact() || s.Active {
			t.Fatalf("segment %d: %+v, %v", i, in, err)
		}
		if in.Init.Codec != media.CodecH265 || in.Init.Width != 320 || in.Init.Height != 180 {
			t.Errorf("segment %d: %s %dx%d", i, in.Init.Codec, in.Init.Width, in.Init.Height)
		}
		assertStartsOnKeyframe(t, s.Path)
		if c, w, h := ffprobeVideo(t, s.Path); c != "hevc" || w != 320 || h != 180 {
			t.Errorf("ffprobe of segment %d: %s %dx%d", i, c, w, h)
		}
	}
	again, _ := segstore.Open(segstore.Options{Root: root})
	if n := len(again.Segments("cam", time.Time{}, time.Now().Add(time.Hour))); n != 2 {
		t.Fatalf("after restart %d segments", n)
	}
}
