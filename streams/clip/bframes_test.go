package clip

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/internal/ffmpegtest"
)

// TestExportBFrames records a real H.264 stream with B-frames (decoding
// order differs from presentation order) and exports part of it: the
// clip carries the composition offsets in a ctts, so ffprobe shows its
// frames in presentation order, ffmpeg decodes it silently and its
// length is the range asked for.
func TestExportBFrames(t *testing.T) {
	aus, track := ffmpegtest.H264BFrames(t, 320, 180, 4)
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
	if len(res.Missing) != 0 {
		t.Fatalf("result %+v", res)
	}
	p := ffprobe(t, out)
	if p.Codec != "h264" || !p.FirstKey || math.Abs(p.Duration-3) > 0.04 {
		t.Fatalf("ffprobe: %+v", p)
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b[:8192], []byte("ctts")) {
		t.Fatal("the clip has no ctts: B-frames would be shown in decoding order")
	}
	assertPresentationOrder(t, out, res.Frames, true)
	ffmpegDecodesCleanly(t, out)
}

// assertPresentationOrder checks that the decoder hands out the clip's
// frames with strictly growing timestamps, on the 25 fps grid, all of them: a
// B-frame shown in decoding order would step back in time. bframes: the
// stream must have had them.
func assertPresentationOrder(t *testing.T, path string, frames int, bframes bool) {
	t.Helper()
	bin := needTool(t, "ffprobe")
	out, err := exec.Command(bin, "-v", "error", "-ignore_editlist", "1", "-select_streams", "v:0",
		"-show_frames", "-show_entries", "frame=pts,pict_type", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames: %v", err)
	}
	var f struct {
		Frames []struct {
			PTS      int64  `json:"pts"`
			PictType string `json:"pict_type"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Frames) != frames {
		t.Fatalf("%d frames decoded, the clip holds %d", len(f.Frames), frames)
	}
	bs := 0
	for i, fr := range f.Frames {
		if fr.PictType == "B" {
			bs++
		}
		// A camera late on its ticks skips frames (a step of 80 ms), but
		// a frame shown out of order steps back. Segments start on whole
		// milliseconds, so a step across one may be off by up to one.
		if d := fr.PTS - f.Frames[max(i-1, 0)].PTS; i > 0 && (d <= 0 || offGrid(d, timescale/25)) {
			t.Fatalf("frame %d (%s) at %d after %d: not a whole number of 40 ms frames on in presentation order",
				i, fr.PictType, fr.PTS, f.Frames[i-1].PTS)
		}
	}
	if bframes && bs < frames/2 {
		t.Fatalf("%d B-frames of %d: the stream was not reordered", bs, frames)
	}
}

// offGrid reports whether d is more than a millisecond from a multiple
// of step.
func offGrid(d, step int64) bool {
	r := d % step
	return r > timescale/1000 && r < step-timescale/1000
}
