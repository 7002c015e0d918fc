package hevc

import (
	"math/bits"
	"testing"
	"time"

	mbits "github.com/bluenviron/mediacommon/v2/pkg/bits"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// withPictureSize returns a copy of a real SPS (one sub-layer, as x265
// writes it) declaring width x height luma samples, everything else as
// it was: the shape of a hostile camera's SPS.
func withPictureSize(t *testing.T, sps []byte, width, height uint32) []byte {
	t.Helper()
	in := h264.EmulationPreventionRemove(sps) // the same rule in H.265
	pos := 16 + 8 + 96                        // NAL header, ids and sub-layers, profile_tier_level
	ue := func() uint32 {
		v, err := mbits.ReadGolombUnsigned(in, &pos)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ue() // sps_seq_parameter_set_id
	if ue() == 3 {
		pos++ // separate_colour_plane_flag
	}
	sizeAt := pos
	ue()
	ue()
	out := make([]byte, len(in)+16)
	w := 0
	copyBits := func(from, to int) {
		for p := from; p < to; p++ {
			mbits.WriteBitsUnsafe(out, &w, uint64(in[p/8]>>(7-p%8)&1), 1)
		}
	}
	putUE := func(v uint32) {
		x := uint64(v) + 1
		n := bits.Len64(x)
		mbits.WriteBitsUnsafe(out, &w, 0, n-1)
		mbits.WriteBitsUnsafe(out, &w, x, n)
	}
	copyBits(0, sizeAt)
	putUE(width)
	putUE(height)
	copyBits(pos, len(in)*8) // the rest, trailing bits included
	return addEmulationPrevention(out[:(w+7)/8])
}

// addEmulationPrevention inserts 0x03 where the payload would otherwise
// hold a start code prefix.
func addEmulationPrevention(b []byte) []byte {
	var out []byte
	zeros := 0
	for _, c := range b {
		if zeros >= 2 && c <= 3 {
			out, zeros = append(out, 3), 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// An SPS declaring 65535x65535 (or any side above 16384) is dropped and
// counted as broken; the track keeps its last good size.
func TestAbsurdPictureSizeRejected(t *testing.T) {
	t.Parallel()
	units := encode(t, 0)
	var n Normalizer
	n.Normalize(units[0].nalus, units[0].pts, t0)
	if tr, _ := n.Track(); tr.Width != 320 || tr.Height != 180 {
		t.Fatalf("track %dx%d, want 320x180", tr.Width, tr.Height)
	}
	var sps []byte
	for _, u := range units[0].nalus {
		if naluType(u) == h265.NALUType_SPS_NUT {
			sps = u
		}
	}
	sane := withPictureSize(t, sps, 640, 360)
	var parsed h265.SPS
	if err := parsed.Unmarshal(sane); err != nil || parsed.Width() != 640 {
		t.Fatalf("rewritten SPS: %v, width %d", err, parsed.Width())
	}
	for i, bad := range [][2]uint32{{65535, 65535}, {16392, 360}, {640, 16500}} {
		broken := n.Counters().Broken
		nalus := append([][]byte{withPictureSize(t, sps, bad[0], bad[1])}, units[1].nalus...)
		if au := n.Normalize(nalus, units[1].pts, t0.Add(time.Duration(i)*time.Millisecond)); au == nil {
			t.Fatal("the unit's slices were dropped with the SPS")
		}
		if got := n.Counters().Broken; got != broken+1 {
			t.Errorf("%dx%d: Broken = %d, want %d", bad[0], bad[1], got, broken+1)
		}
		if tr, _ := n.Track(); tr.Width != 320 || tr.Height != 180 {
			t.Fatalf("%dx%d: track %dx%d, want the last good 320x180", bad[0], bad[1], tr.Width, tr.Height)
		}
	}
}
