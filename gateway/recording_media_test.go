package gateway_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/sim"
)

// TestRecordingBFrameCameraWithSound is the demo's bjn-plt-05 through
// the whole gateway: an H.264 camera with B-frames and G.711 sound is
// recorded (not left "idle, unsupported" while its tile is green), and
// its export is an MP4 with the picture in presentation order and the
// sound beside it. A camera with recording off is refused with why.
func TestRecordingBFrameCameraWithSound(t *testing.T) {
	needFFmpeg(t)
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 320, Height: 180, GOP: 25,
		Configure: func(name string, o *sim.CameraOptions) {
			if name == "cam0" {
				o.BFrames, o.Audio = 2, media.CodecPCMA
			}
		}})
	cfg := stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjn": {"bjn-plt-05", "bjn-t-01"}})
	cfg = strings.Replace(cfg, "record: false", "record: true", 1) // bjn-plt-05 only
	g := startTestGateway(t, cfg)
	waitRecording(t, g.Gateway, "bjn-plt-05", "recording")
	var camJSON struct {
		BFrames   bool
		Recording struct{ State, Reason string }
	}
	g.admin.must(200, "GET", "/api/cameras/bjn-plt-05", nil, &camJSON)
	if camJSON.Recording.State != "recording" {
		t.Fatalf("camera %+v", camJSON)
	}

	// From the very start of the recording: B-frames are found a unit or
	// two into the stream, and that must not cost its first GOP.
	segs := g.RecordedSegments("bjn-plt-05")
	if len(segs) == 0 {
		t.Fatal("recording, but no segment indexed")
	}
	from := segs[0].Start.Add(100 * time.Millisecond)
	to := from.Add(3 * time.Second)
	testwait.For(t, "3 s recorded", func() bool { return !g.RecordedUntil("bjn-plt-05").Before(to) })
	g.admin.must(200, "GET", "/api/cameras/bjn-plt-05", nil, &camJSON)
	if !camJSON.BFrames {
		t.Fatalf("the camera sends no B-frames: %+v", camJSON)
	}
	var job clipJob
	g.admin.must(202, "POST", "/api/clips", map[string]string{"camera": "bjn-plt-05", "from": from.Format(time.RFC3339Nano),
		"to": to.Format(time.RFC3339Nano), "reason": "platform 5"}, &job)
	job = waitClip(t, g.admin, job.ID)
	if job.Status != "done" || len(job.Missing) != 0 {
		t.Fatalf("job %+v", job)
	}
	mp4 := filepath.Join(t.TempDir(), "clip.mp4")
	download(t, g.admin, job.File, mp4)
	streams := probeStreams(t, mp4)
	if len(streams) != 2 || streams[0].codec != "h264" || streams[1].codec != "pcm_s16be" {
		t.Fatalf("clip streams %+v, want h264 and its sound", streams)
	}
	if d := streams[1].duration - streams[0].duration; d < -0.1 || d > 0.1 {
		t.Fatalf("video %.3f s, audio %.3f s", streams[0].duration, streams[1].duration)
	}
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", mp4, "-f", "null", "-").CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("ffmpeg decode: %v\n%s", err, out)
	}

	resp, data := g.admin.do("POST", "/api/clips", map[string]string{"camera": "bjn-t-01",
		"from": from.Format(time.RFC3339Nano), "to": to.Format(time.RFC3339Nano), "reason": "x"})
	if resp.StatusCode != 422 || !strings.Contains(string(data), "recording is switched off") {
		t.Fatalf("export of a camera not recorded: %s %s", resp.Status, data)
	}
}

type streamInfo struct {
	codec    string
	duration float64
}

// probeStreams lists a file's streams as ffprobe sees them.
func probeStreams(t *testing.T, path string) []streamInfo {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,duration", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var s struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Duration  string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	var info []streamInfo
	for _, st := range s.Streams {
		d, _ := strconv.ParseFloat(st.Duration, 64)
		info = append(info, streamInfo{st.CodecName, d})
	}
	return info
}
