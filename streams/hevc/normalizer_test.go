package hevc

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/streams/media"
	"vigil/streams/nalu"
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

// Every H.265 NAL unit type, as the shared normalizer must see it. The
// rules these kinds go through are tested once for both codecs in package
// nalu; here is what is H.265's own.
func TestKind(t *testing.T) {
	t.Parallel()
	var want [64]nalu.Kind
	for typ := range want {
		switch {
		case typ >= 16 && typ <= 23:
			want[typ] = nalu.KindKeySlice // BLA, IDR, CRA and reserved IRAP
		case typ < 32:
			want[typ] = nalu.KindSlice // VCL
		case typ <= 40:
			want[typ] = nalu.KindOther // SEI, end of sequence and bitstream...
		default:
			want[typ] = nalu.KindBroken // reserved, AP, FU, PACI, unspecified
		}
	}
	want[32], want[33], want[34] = nalu.KindVPS, nalu.KindSPS, nalu.KindPPS
	want[35], want[38] = nalu.KindUseless, nalu.KindUseless // AUD, filler
	for typ, k := range want {
		if got := (Codec{}).Kind([]byte{byte(typ) << 1, 1}); got != k {
			t.Errorf("type %d: kind %d, want %d", typ, got, k)
		}
	}
	if got := (Codec{}).Kind([]byte{0x26}); got != nalu.KindBroken {
		t.Errorf("a one-byte unit: kind %d, want broken (the header is two bytes)", got)
	}
}

// SetParams seeds the sets from the SDP: the next IRAP carries them, VPS
// first, and the track has the SPS's size. MaxNALUSize bounds a NAL unit.
func TestSetParamsAndMaxNALUSize(t *testing.T) {
	t.Parallel()
	units := encode(t, 0)
	var sets, rest [][]byte
	for _, u := range units[0].nalus {
		if typ := naluType(u); typ >= h265.NALUType_VPS_NUT && typ <= h265.NALUType_PPS_NUT {
			sets = append(sets, u)
		} else if typ != h265.NALUType_AUD_NUT {
			rest = append(rest, u)
		}
	}
	if len(sets) != 3 {
		t.Fatalf("ffmpeg's first unit has %d parameter sets", len(sets))
	}
	n := Normalizer{MaxNALUSize: 1 << 16}
	n.SetParams(sets[0], sets[1], sets[2])
	au := n.Normalize(rest, 0, t0)
	if au == nil || !au.Key || len(au.NALUs) != 3+len(rest) || !bytes.Equal(au.NALUs[0], sets[0]) {
		t.Fatalf("IRAP after SetParams: %v", au)
	}
	if tr, changed := n.Track(); !changed || tr.Codec != media.CodecH265 || tr.Width != 320 || tr.Height != 180 {
		t.Fatalf("track %+v changed %v", tr, changed)
	}
	big := append([]byte{1 << 1, 1}, make([]byte, 1<<16)...)
	n.Normalize(append([][]byte{big}, units[1].nalus...), 3600, t0)
	if c := n.Counters(); c.Oversize != 1 {
		t.Fatalf("Oversize = %d, want 1", c.Oversize)
	}
}
