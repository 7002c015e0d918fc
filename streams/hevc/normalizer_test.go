package hevc

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"
)

// unit is one access unit as ffmpeg muxed it, with its true timestamps.
type unit struct {
	pts, dts int64
	nalus    [][]byte
}

// encode makes an H.265 stream with ffmpeg (no media files are committed)
// and returns its access units with the muxer's PTS and DTS.
func encode(t *testing.T, bframes int) []unit {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: cannot make an H.265 test stream")
	}
	cmd := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-frames:v", "60", "-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes="+itoa(bframes),
		"-f", "mpegts", "-")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	r := &mpegts.Reader{R: bytes.NewReader(out)}
	if err := r.Initialize(); err != nil {
		t.Fatal(err)
	}
	var units []unit
	r.OnDataH265(r.Tracks()[0], func(pts, dts int64, au [][]byte) error {
		units = append(units, unit{pts: pts, dts: dts, nalus: au})
		return nil
	})
	for r.Read() == nil {
	}
	if len(units) < 50 {
		t.Fatalf("ffmpeg gave %d units", len(units))
	}
	return units
}

func itoa(n int) string { return string(rune('0' + n)) }

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func TestRandomAccessPicturesCarryParameterSets(t *testing.T) {
	units := encode(t, 0)
	var n Normalizer
	keys := 0
	for i, u := range units {
		au := n.Normalize(u.nalus, u.pts, t0.Add(time.Duration(i)*40*time.Millisecond))
		if au == nil {
			t.Fatalf("unit %d dropped", i)
		}
		if !au.Key {
			continue
		}
		keys++
		for k, want := range []byte{32, 33, 34} {
			if got := (au.NALUs[k][0] >> 1) & 0x3f; got != want {
				t.Fatalf("keyframe %d: NAL %d type %d, want %d", i, k, got, want)
			}
		}
	}
	if keys != 3 {
		t.Fatalf("%d keyframes in 60 frames with keyint 25, want 3", keys)
	}
	track, _ := n.Track()
	if track.Width != 320 || track.Height != 180 || track.Reordered {
		t.Fatalf("track %dx%d reordered=%v, want 320x180 in order", track.Width, track.Height, track.Reordered)
	}
}

func TestBFramesGetDecodingTimes(t *testing.T) {
	units := encode(t, 3)
	var n Normalizer
	var last time.Duration = -1
	for i, u := range units {
		au := n.Normalize(u.nalus, u.pts, t0.Add(time.Duration(i)*40*time.Millisecond))
		if au == nil {
			t.Fatalf("unit %d dropped", i)
		}
		if au.DTS <= last || au.PTS < au.DTS {
			t.Fatalf("unit %d: DTS %v after %v, PTS %v", i, au.DTS, last, au.PTS)
		}
		last = au.DTS
	}
	if track, _ := n.Track(); !track.Reordered {
		t.Fatal("B-frame stream not marked Reordered")
	}
	if c := n.Counters(); c.BadDTS != 0 {
		t.Fatalf("BadDTS = %d", c.BadDTS)
	}
}

func TestBrokenNALUsDropped(t *testing.T) {
	units := encode(t, 0)
	n := Normalizer{MaxNALUSize: 1 << 16}
	n.Normalize(units[0].nalus, 0, t0)
	fu := []byte{49 << 1, 1, 0x80}      // an RTP fragmentation unit
	bad := []byte{0x80 | 1<<1, 1, 0x00} // forbidden bit
	au := n.Normalize(append([][]byte{fu, bad, {}}, units[1].nalus...), 3600, t0.Add(40*time.Millisecond))
	if au == nil || len(au.NALUs) != len(units[1].nalus) {
		t.Fatalf("got %v", au)
	}
	if c := n.Counters(); c.Broken != 3 {
		t.Fatalf("Broken = %d, want 3", c.Broken)
	}
	if n.Normalize([][]byte{fu}, 7200, t0) != nil {
		t.Fatal("unit without slice passed")
	}
}

func TestNoParameterSetsNoKeyframe(t *testing.T) {
	units := encode(t, 0)
	var n Normalizer
	var slices [][]byte
	for _, nalu := range units[0].nalus {
		if (nalu[0]>>1)&0x3f < 32 {
			slices = append(slices, nalu)
		}
	}
	if n.Normalize(slices, 0, t0) != nil || n.Counters().NoParamSets != 1 {
		t.Fatal("IRAP without parameter sets passed")
	}
}
