package clip

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"
)

// probed is what ffprobe says about a clip's video stream.
type probed struct {
	Codec     string
	Width     int
	Height    int
	Frames    int     // frames presented (-count_frames, edit list applied)
	AllFrames int     // frames in the media, edit list ignored
	Duration  float64 // seconds
	// FirstKey: the media's first frame is a keyframe (an IDR). The first
	// frame presented is "from", which is rarely one: the edit list has
	// the player decode from the keyframe and show from "from".
	FirstKey  bool
	FirstType string
}

func ffprobe(t *testing.T, path string) probed {
	t.Helper()
	bin := needTool(t, "ffprobe")
	out, err := exec.Command(bin, "-v", "error", "-select_streams", "v:0", "-show_streams", "-count_frames",
		"-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var s struct {
		Streams []struct {
			CodecName    string `json:"codec_name"`
			Width        int    `json:"width"`
			Height       int    `json:"height"`
			NbReadFrames string `json:"nb_read_frames"`
			Duration     string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Streams) != 1 {
		t.Fatalf("ffprobe output %s: %v", out, err)
	}
	st := s.Streams[0]
	p := probed{Codec: st.CodecName, Width: st.Width, Height: st.Height}
	p.Frames, _ = strconv.Atoi(st.NbReadFrames)
	p.Duration, _ = strconv.ParseFloat(st.Duration, 64)

	out, err = exec.Command(bin, "-v", "error", "-ignore_editlist", "1", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	p.AllFrames, _ = strconv.Atoi(string(bytes.TrimSpace(out)))

	out, err = exec.Command(bin, "-v", "error", "-ignore_editlist", "1", "-select_streams", "v:0", "-show_frames",
		"-read_intervals", "%+#1", "-show_entries", "frame=key_frame,pict_type", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames: %v", err)
	}
	var f struct {
		Frames []struct {
			KeyFrame int    `json:"key_frame"`
			PictType string `json:"pict_type"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(out, &f); err != nil || len(f.Frames) == 0 {
		t.Fatalf("ffprobe frames %s: %v", out, err)
	}
	p.FirstKey, p.FirstType = f.Frames[0].KeyFrame == 1, f.Frames[0].PictType
	return p
}

// ffmpegDecodesCleanly decodes the whole clip; ffmpeg must print nothing.
func ffmpegDecodesCleanly(t *testing.T, path string) {
	t.Helper()
	bin := needTool(t, "ffmpeg")
	out, err := exec.Command(bin, "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decode: %v\n%s", err, out)
	}
}

// parseWithMediacommon reads the clip with mediacommon's MP4 reader and
// checks it holds one H.264 track of frames samples starting on a sync
// sample, each sample a well-formed AVCC access unit.
func parseWithMediacommon(t *testing.T, path string, frames int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var p pmp4.Presentation
	if err := p.Unmarshal(f); err != nil {
		t.Fatalf("mediacommon cannot parse the clip: %v", err)
	}
	if len(p.Tracks) != 1 {
		t.Fatalf("%d tracks", len(p.Tracks))
	}
	tr := p.Tracks[0]
	if _, ok := tr.Codec.(*mp4.CodecH264); !ok || tr.TimeScale != timescale {
		t.Fatalf("track codec %T timescale %d", tr.Codec, tr.TimeScale)
	}
	if len(tr.Samples) != frames {
		t.Fatalf("%d samples, want %d", len(tr.Samples), frames)
	}
	if tr.Samples[0].IsNonSyncSample {
		t.Fatal("first sample is not a sync sample")
	}
	for i, s := range tr.Samples {
		b, err := s.GetPayload()
		if err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		var au h264.AVCC
		if err := au.Unmarshal(b); err != nil {
			t.Fatalf("sample %d is not AVCC: %v", i, err)
		}
		if (i == 0) != (i == 0 && h264.IsRandomAccess(au)) {
			t.Fatalf("first sample holds no IDR")
		}
	}
}
