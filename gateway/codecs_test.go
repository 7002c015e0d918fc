package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: H.265 and AAC cameras need it to be simulated and transcoded")
	}
}

// h265Camera starts a simulated H.265 camera with AAC sound and a gateway
// pulling it, with a short transcoder linger.
func h265Camera(t *testing.T) (base, token string) {
	t.Helper()
	srv := startCamera(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) {
		o.Codec, o.Audio = media.CodecH265, media.CodecAAC
	}})
	cfg := oneCameraConfig(srv.URL("cam0")) + "transcode:\n  linger: 1s\n"
	g, token := startGateway(t, cfg)
	waitCameraOnline(t, g.URL(), token, "bjx-nsq-01")
	return g.URL(), token
}

func waitCameraOnline(t *testing.T, base, token, id string) {
	t.Helper()
	testwait.For(t, "camera "+id+" online", func() bool { return cameraInfo(t, base, token, id)["state"] == "online" })
}

func cameraInfo(t *testing.T, base, token, id string) map[string]any {
	t.Helper()
	resp := do(t, http.MethodGet, base+"/api/cameras/"+id, token, nil)
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// frames reads n frames of track i, the first a keyframe as key says.
func frames(t *testing.T, v *whepViewer, i, n int, key func(webrtctest.Frame) bool) []webrtctest.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var out []webrtctest.Frame
	for len(out) < n {
		f, err := v.Next(ctx, i)
		if err != nil {
			t.Fatalf("after %d frames: %v", len(out), err)
		}
		if len(out) == 0 && key != nil && !key(f) {
			continue // a frame in flight from before the keyframe
		}
		out = append(out, f)
	}
	return out
}

// decodes checks that ffmpeg decodes the frames as codec without an error.
func decodes(t *testing.T, codec string, fs []webrtctest.Frame) {
	t.Helper()
	var annexB bytes.Buffer
	for _, f := range fs {
		for _, n := range f.NALUs {
			annexB.Write([]byte{0, 0, 0, 1})
			annexB.Write(n)
		}
	}
	cmd := exec.Command("ffmpeg", "-v", "error", "-f", codec, "-i", "-", "-f", "null", "-")
	cmd.Stdin = &annexB
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decoding the received %s: %v %s", codec, err, out)
	}
}

func TestH265ReachesAnH264OnlyViewerAsH264(t *testing.T) {
	needFFmpeg(t)
	base, token := h265Camera(t)
	v := openWHEPWith(t, base, token, "bjx-nsq-01", webrtctest.Options{Videos: 1, Audio: true})
	fs := frames(t, v, 0, 50, webrtctest.Frame.IsKey)
	if fs[0].Codec != "video/H264" {
		t.Fatalf("codec %s, want video/H264", fs[0].Codec)
	}
	var sps h264.SPS
	if err := sps.Unmarshal(fs[0].NALUs[0]); err != nil || sps.Width() != 320 || sps.Height() != 180 {
		t.Fatalf("SPS %x: %v, %dx%d, want 320x180", fs[0].NALUs[0], err, sps.Width(), sps.Height())
	}
	for i := 1; i < len(fs); i++ {
		if int32(fs[i].Timestamp-fs[i-1].Timestamp) <= 0 {
			t.Fatalf("frame %d timestamp %d after %d: not in display order", i, fs[i].Timestamp, fs[i-1].Timestamp)
		}
	}
	decodes(t, "h264", fs)

	// The AAC sound arrives as Opus, 20 ms packets: each packet's RTP
	// timestamp 960 ticks of 48 kHz after the one before. (How fast they
	// come is the machine's business; what they carry is not.)
	audio := frames(t, v, 1, 50, nil)
	if audio[0].Codec != "audio/opus" {
		t.Fatalf("audio codec %s, want audio/opus", audio[0].Codec)
	}
	for i := 1; i < len(audio); i++ {
		if step := audio[i].Timestamp - audio[i-1].Timestamp; step != 960 {
			t.Fatalf("Opus packet %d is %d ticks after the one before, want 960 (20 ms)", i, step)
		}
	}
	info := cameraInfo(t, base, token, "bjx-nsq-01")
	delivery, _ := info["delivery"].(map[string]any)
	if info["codec"] != "H265" || delivery["video"] != "transcode" || delivery["video_h265"] != "passthrough" ||
		delivery["audio"] != "transcode" || delivery["audio_codec"] != "Opus" {
		t.Fatalf("camera info %v", info)
	}
}

func TestH265ReachesAnH265ViewerUntouched(t *testing.T) {
	needFFmpeg(t)
	base, token := h265Camera(t)
	v := openWHEPWith(t, base, token, "bjx-nsq-01", webrtctest.Options{Videos: 1, H265: true})
	fs := frames(t, v, 0, 25, webrtctest.Frame.IsKeyH265)
	if fs[0].Codec != "video/H265" {
		t.Fatalf("codec %s, want video/H265", fs[0].Codec)
	}
	decodes(t, "hevc", fs)
	if tr := cameraInfo(t, base, token, "bjx-nsq-01")["transcoders"]; tr != nil {
		t.Fatalf("a transcoder was started for an H.265 viewer: %v", tr)
	}
}

func TestViewersShareOneTranscoderThatStopsAndRecovers(t *testing.T) {
	needFFmpeg(t)
	base, token := h265Camera(t)
	a := openWHEPWith(t, base, token, "bjx-nsq-01", webrtctest.Options{Videos: 1})
	b := openWHEPWith(t, base, token, "bjx-nsq-01", webrtctest.Options{Videos: 1})
	frames(t, a, 0, 10, webrtctest.Frame.IsKey)
	frames(t, b, 0, 10, webrtctest.Frame.IsKey)
	pids := ffmpegChildren(t)
	if len(pids) != 1 {
		t.Fatalf("%d ffmpeg processes for two viewers of one camera, want 1", len(pids))
	}
	if tr := transcoderState(t, base, token); tr["viewers"] != float64(2) {
		t.Fatalf("transcoder %v, want 2 viewers", tr)
	}

	// Killed mid-stream, it comes back by itself and the viewers go on
	// from a keyframe.
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	frames(t, a, 0, 25, func(f webrtctest.Frame) bool { return f.IsKey() && f.Arrived.After(killed) })
	frames(t, b, 0, 5, func(f webrtctest.Frame) bool { return f.IsKey() && f.Arrived.After(killed) })
	if tr := transcoderState(t, base, token); tr["restarts"].(float64) < 1 {
		t.Fatalf("transcoder %v, want a restart counted", tr)
	}

	// Both leave: the process is gone shortly after the linger (1 s).
	for _, v := range []*whepViewer{a, b} {
		do(t, http.MethodDelete, base+v.location, token, nil)
	}
	testwait.For(t, "ffmpeg gone after the last viewer left", func() bool { return len(ffmpegChildren(t)) == 0 })
}

func transcoderState(t *testing.T, base, token string) map[string]any {
	t.Helper()
	trs, _ := cameraInfo(t, base, token, "bjx-nsq-01")["transcoders"].(map[string]any)
	main, _ := trs["main"].(map[string]any)
	if main == nil {
		t.Fatalf("no main transcoder reported: %v", trs)
	}
	return main
}

// ffmpegChildren lists the ffmpeg processes this test process started
// that are still running.
func ffmpegChildren(t *testing.T) []int {
	t.Helper()
	self := strconv.Itoa(os.Getpid())
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 || s[open+1:close] != "ffmpeg" {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 2 || f[1] != self || f[0] == "Z" {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		// The video diagnosis keeps an ffmpeg of its own (grey pictures):
		// not a transcoder.
		if cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.Contains(string(cmd), "format=gray") {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// Without ffmpeg an H.265 camera is no black tile: the console hears
// needs_ffmpeg, and the camera's delivery says so before anyone watches.
func TestMissingFFmpegIsACameraState(t *testing.T) {
	needFFmpeg(t) // to simulate the H.265 camera; the gateway gets a wrong path
	srv := startCamera(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) {
		o.Codec = media.CodecH265
	}})
	cfg := oneCameraConfig(srv.URL("cam0")) + "transcode:\n  ffmpeg: /nonexistent/ffmpeg\n"
	g, token := startGateway(t, cfg)
	waitCameraOnline(t, g.URL(), token, "bjx-nsq-01")
	info := cameraInfo(t, g.URL(), token, "bjx-nsq-01")
	if d, _ := info["delivery"].(map[string]any); d["state"] != "needs_ffmpeg" || d["video"] != "transcode" {
		t.Fatalf("delivery %v, want video transcode with state needs_ffmpeg", info["delivery"])
	}

	c := dialConsole(t, g.URL(), token, "")
	c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01"})
	m := c.waitFor(t, "tile 0 offline", isTile(0, "offline"))
	if m["reason"] != "needs_ffmpeg" {
		t.Fatalf("tile %v, want reason needs_ffmpeg", m)
	}
}
