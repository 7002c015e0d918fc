// Package ffmpegtest makes real coded media with ffmpeg for tests, so no
// media files are committed. Tests that call it skip when ffmpeg is
// missing.
package ffmpegtest

import (
	"bytes"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/streams/avc"
	"vigil/streams/hevc"
	"vigil/streams/media"
)

// H265 encodes seconds of a w×h test pattern as H.265 at 25 fps (1 s GOP,
// no B-frames) and returns the access units as a camera's would reach a
// hub, through the hevc normalizer (keyframes led by VPS, SPS and PPS),
// with the track they form.
func H265(t testing.TB, w, h, seconds int) ([]*media.AccessUnit, media.Track) {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed: ", err)
	}
	cmd := exec.Command(bin, "-v", "error", "-f", "lavfi",
		"-i", "testsrc2=size="+strconv.Itoa(w)+"x"+strconv.Itoa(h)+":rate=25", "-t", strconv.Itoa(seconds),
		"-c:v", "libx265", "-x265-params", "keyint=25:min-keyint=25:scenecut=0:bframes=0:log-level=error",
		"-f", "mpegts", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ts, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.Bytes())
	}
	r := &mpegts.Reader{R: bytes.NewReader(ts)}
	if err := r.Initialize(); err != nil {
		t.Fatal(err)
	}
	norm := hevc.New(nil)
	start := time.Now()
	var units []*media.AccessUnit
	r.OnDataH265(r.Tracks()[0], func(pts, _ int64, nalus [][]byte) error {
		if au := norm.Normalize(nalus, pts, start.Add(time.Duration(len(units))*40*time.Millisecond)); au != nil {
			units = append(units, au)
		}
		return nil
	})
	for r.Read() == nil {
	}
	track, _ := norm.Track()
	if len(units) < 25*seconds-10 || !units[0].Key || track.VPS == nil {
		t.Fatalf("ffmpeg gave %d units", len(units))
	}
	return units, track
}

// H264BFrames encodes seconds of a w×h test pattern as H.264 Main at 25
// fps with two B-frames between references (1 s GOP, closed) and returns
// the access units in decoding order as a camera's would reach a hub,
// through the avc normalizer (DTS behind PTS), with the track they form
// (Reordered).
func H264BFrames(t testing.TB, w, h, seconds int) ([]*media.AccessUnit, media.Track) {
	t.Helper()
	ts := encode(t, "testsrc2=size="+strconv.Itoa(w)+"x"+strconv.Itoa(h)+":rate=25", seconds,
		"-c:v", "libx264", "-profile:v", "main", "-bf", "2", "-g", "25", "-keyint_min", "25",
		"-sc_threshold", "0", "-flags", "+cgop", "-x264-params", "b-pyramid=none:log-level=error")
	r := &mpegts.Reader{R: bytes.NewReader(ts)}
	if err := r.Initialize(); err != nil {
		t.Fatal(err)
	}
	norm := avc.New(nil)
	start := time.Now()
	var units []*media.AccessUnit
	r.OnDataH264(r.Tracks()[0], func(pts, _ int64, nalus [][]byte) error {
		if au := norm.Normalize(nalus, pts, start.Add(time.Duration(len(units))*40*time.Millisecond)); au != nil {
			units = append(units, au)
		}
		return nil
	})
	for r.Read() == nil {
	}
	track, _ := norm.Track()
	if len(units) < 25*seconds-10 || !units[0].Key || !track.Reordered {
		t.Fatalf("ffmpeg gave %d units, reordered %v", len(units), track.Reordered)
	}
	return units, track
}

// encode runs ffmpeg on a lavfi source for seconds and returns MPEG-TS.
func encode(t testing.TB, lavfi string, seconds int, codec ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed: ", err)
	}
	args := append([]string{"-v", "error", "-f", "lavfi", "-i", lavfi, "-t", strconv.Itoa(seconds)}, codec...)
	cmd := exec.Command(bin, append(args, "-f", "mpegts", "-")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ts, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.Bytes())
	}
	return ts
}
