package avc

import (
	"math/bits"
	"testing"

	mbits "github.com/bluenviron/mediacommon/v2/pkg/bits"
)

// baselineSPS builds a Baseline SPS whose picture is mbW x mbH
// macroblocks (pic_order_cnt_type 2, no VUI), the shape a hostile camera
// uses to declare an absurd size.
func baselineSPS(mbW, mbH uint32) []byte {
	buf := make([]byte, 64)
	pos := 0
	put := func(v uint64, n int) { mbits.WriteBitsUnsafe(buf, &pos, v, n) }
	ue := func(v uint32) {
		x := uint64(v) + 1
		n := bits.Len64(x)
		put(0, n-1)
		put(x, n)
	}
	put(0x67, 8)  // NAL header: SPS
	put(66, 8)    // profile_idc: Baseline
	put(0xc0, 8)  // constraint flags
	put(51, 8)    // level_idc
	ue(0)         // seq_parameter_set_id
	ue(0)         // log2_max_frame_num_minus4
	ue(2)         // pic_order_cnt_type
	ue(1)         // max_num_ref_frames
	put(0, 1)     // gaps_in_frame_num_value_allowed_flag
	ue(mbW - 1)   // pic_width_in_mbs_minus1
	ue(mbH - 1)   // pic_height_in_map_units_minus1
	put(0b110, 3) // frame_mbs_only, direct_8x8_inference, no cropping
	put(0, 1)     // no VUI
	put(1, 1)     // rbsp_stop_one_bit
	return buf[:(pos+7)/8]
}

// An SPS declaring 65536x65536 (or any side above 16384) is dropped and
// counted as broken; the track keeps its last good size and keyframes keep
// the last good SPS.
func TestAbsurdPictureSizeRejected(t *testing.T) {
	t.Parallel()
	var n Normalizer
	n.SetParams(nil, testSPS, testPPS)
	if tr, _ := n.Track(); tr.Width != 1920 || tr.Height != 1080 {
		t.Fatalf("track %dx%d, want 1920x1080", tr.Width, tr.Height)
	}
	for _, sps := range [][]byte{baselineSPS(4096, 4096), baselineSPS(1025, 68), baselineSPS(120, 1025)} {
		broken := n.Counters().Broken
		au := n.Normalize([][]byte{sps, testPPS, idr}, 3600, t0)
		if au == nil || !equalNALUs(au.NALUs, [][]byte{testSPS, testPPS, idr}) {
			t.Fatalf("keyframe after an absurd SPS: %v, want it with the last good SPS", au)
		}
		if got := n.Counters().Broken; got != broken+1 {
			t.Errorf("Broken = %d, want %d", got, broken+1)
		}
		if tr, changed := n.Track(); tr.Width != 1920 || tr.Height != 1080 || changed {
			t.Fatalf("track %dx%d changed %v after an absurd SPS", tr.Width, tr.Height, changed)
		}
	}
	// A sane SPS built the same way is taken: the builder is not the reason.
	n.Normalize([][]byte{baselineSPS(40, 30), testPPS, idr}, 7200, t0)
	if tr, _ := n.Track(); tr.Width != 640 || tr.Height != 480 {
		t.Fatalf("sane SPS: track %dx%d, want 640x480", tr.Width, tr.Height)
	}
}
