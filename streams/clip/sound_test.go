package clip

import (
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/record"
	"vigil/streams/segstore"
	"vigil/streams/sim"
	"vigil/streams/source"
)

// TestExportWithSound records simulated cameras with sound over real
// RTSP (the demo's two: H.264 with B-frames and G.711, H.265 with AAC;
// and Opus), the recorder reading the audio hub the live path plays
// from, and exports a range: the clip has a video and an audio track,
// their durations within 100 ms of each other and of the range, the
// video in presentation order, and ffmpeg decodes both silently.
func TestExportWithSound(t *testing.T) {
	needTool(t, "ffmpeg")
	cases := []struct {
		name       string
		set        func(*sim.CameraOptions)
		audioCodec string // as ffprobe names it
		bframes    bool
	}{
		{"bframes-pcma", func(o *sim.CameraOptions) { o.BFrames, o.Audio = 2, media.CodecPCMA }, "pcm_s16be", true},
		{"h265-aac", func(o *sim.CameraOptions) { o.Codec, o.Audio = media.CodecH265, media.CodecAAC }, "aac", false},
		{"h264-pcmu", func(o *sim.CameraOptions) { o.Audio = media.CodecPCMU }, "pcm_s16be", false},
		{"h264-opus", func(o *sim.CameraOptions) { o.Audio = media.CodecOpus }, "opus", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			idx, segs := recordWithSound(t, tc.set)
			from := segs[0].Start.Add(1300 * time.Millisecond)
			to := from.Add(4 * time.Second)
			out := filepath.Join(t.TempDir(), "clip.mp4")
			res, err := (&Exporter{Store: idx}).Export(context.Background(), Request{Camera: "cam0", From: from, To: to, Path: out})
			if err != nil {
				t.Fatal(err)
			}
			v, a := probeStream(t, out, "v:0"), probeStream(t, out, "a:0")
			t.Logf("clip %+v; video %+v; audio %+v", res, v, a)
			if a.Codec != tc.audioCodec {
				t.Fatalf("audio track %+v, want %s", a, tc.audioCodec)
			}
			if math.Abs(v.Duration-4) > 0.1 || math.Abs(a.Duration-v.Duration) > 0.1 {
				t.Fatalf("video %.3f s, audio %.3f s: want both 4 s within 100 ms", v.Duration, a.Duration)
			}
			got := decodedAudio(t, out)
			t.Logf("%.3f s of sound decoded", got)
			if math.Abs(got-4) > 0.1 {
				t.Fatalf("%.3f s of sound decoded, want 4 s within 100 ms", got)
			}
			assertPresentationOrder(t, out, res.Frames, tc.bframes)
			ffmpegDecodesCleanly(t, out)
		})
	}
}

// recordWithSound records a simulated camera (video and sound) for
// about 7 s in 2 s segments and returns the index and its segments.
func recordWithSound(t *testing.T, set func(*sim.CameraOptions)) (*segstore.Index, []segstore.Segment) {
	t.Helper()
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"cam0"}, GOP: 25,
		Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) { set(o) }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	video, audio := hub.New(hub.Options{ID: "cam0"}), hub.New(hub.Options{ID: "cam0/audio"})
	src, err := source.New(source.Options{ID: "cam0", URL: srv.URL("cam0"), Transport: "tcp", Hub: video, AudioHub: audio})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "rec")
	idx := openIndex(t, root)
	tr := progressTracker{idx, make(chan struct{}, 1)}
	rec, err := record.New(record.Options{CameraID: "cam0", Dir: filepath.Join(root, "cam0"), Hub: video,
		AudioHub: audio, SegmentDuration: 2 * time.Second, Tracker: tr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { src.Run(ctx) })
	wg.Go(func() { rec.Run(ctx) })
	testwait.For(t, "7 s recorded", func() bool { return recorded(idx) >= 7*time.Second })
	cancel()
	wg.Wait()
	segs := idx.Segments("cam0", time.Time{}, time.Now())
	for _, s := range segs {
		in, err := segstore.ScanFile(s.Path)
		if err != nil || !in.Init.Audio.Present() {
			t.Fatalf("segment %s holds no sound: %+v %v", s.Path, in.Init, err)
		}
	}
	return idx, segs
}

// decodedAudio decodes a clip's sound as ffmpeg plays it (edit list
// applied, nothing filled in) and returns its length in seconds: a hole
// in the recorded sound makes it shorter than the track's duration.
func decodedAudio(t *testing.T, path string) float64 {
	t.Helper()
	bin := needTool(t, "ffmpeg")
	out, err := exec.Command(bin, "-v", "error", "-i", path, "-map", "0:a", "-ac", "1", "-ar", "8000",
		"-f", "s16le", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg audio decode: %v", err)
	}
	return float64(len(out)) / 2 / 8000
}

// streamProbe is what ffprobe says of one stream of a file.
type streamProbe struct {
	Codec    string
	Duration float64
}

func probeStream(t *testing.T, path, stream string) streamProbe {
	t.Helper()
	bin := needTool(t, "ffprobe")
	out, err := exec.Command(bin, "-v", "error", "-select_streams", stream, "-show_entries",
		"stream=codec_name,duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var s struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Duration  string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Streams) != 1 {
		t.Fatalf("ffprobe %s of %s: %s %v", stream, path, out, err)
	}
	d, _ := strconv.ParseFloat(s.Streams[0].Duration, 64)
	return streamProbe{Codec: s.Streams[0].CodecName, Duration: d}
}
