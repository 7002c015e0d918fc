package rtsp

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// missedByDesign is the documented difference (depacketize_annexb.go): a
// NAL unit gortsplib's search finds a start code in and wrapsAnnexB does
// not look into.
func missedByDesign(nalu []byte) bool {
	return len(nalu) >= annexBSearchBelow && isSlice(h264.NALUType(nalu[0]&0x1f)) &&
		!bytes.HasPrefix(nalu, annexBStartCode) && bytes.Contains(nalu, annexBStartCode)
}

// checkWrapsAnnexB requires wrapsAnnexB to answer as gortsplib's search
// except on missedByDesign.
func checkWrapsAnnexB(t *testing.T, nalu []byte) {
	t.Helper()
	full := bytes.Contains(nalu, annexBStartCode)
	if got := wrapsAnnexB(nalu); got != full && (got || !missedByDesign(nalu)) {
		t.Fatalf("wrapsAnnexB(%x) = %v, gortsplib's search %v", nalu, got, full)
	}
}

func TestWrapsAnnexB(t *testing.T) {
	t.Parallel()
	inner := func(n int, header byte) []byte { // n bytes, a start code in the middle
		b := sized(n-1, header)
		copy(b[n/2:], annexBStartCode)
		return b
	}
	for _, tc := range []struct {
		name  string
		nalu  []byte
		wraps bool
	}{
		{"a plain SPS", h264SPS, false},
		{"a large slice", sized(5000, 0x65), false},
		{"a start code first", cat(annexBStartCode, sized(5000, 0x65)), true},
		{"a 3-byte start code first, a 4-byte one inside", cat([]byte{0, 0, 1}, inner(5000, 0x65)), true},
		{"SPS and PPS wrapped", cat(h264SPS, annexBStartCode, h264PPS), true},
		{"a small slice with an inner start code", inner(annexBSearchBelow-1, 0x41), true},
		{"an SEI of any size with an inner start code", inner(5000, 0x06), true},
		{"a filler of any size with an inner start code", inner(5000, 0x0c), true},
		{"a large slice with an inner start code (documented)", inner(annexBSearchBelow, 0x41), false},
		{"a large IDR with an inner start code (documented)", inner(5000, 0x65), false},
		{"a large extension slice with an inner start code (documented)", inner(5000, 0x74), false},
		{"3-byte start codes only", cat([]byte{0, 0, 1}, h264SPS, []byte{0, 0, 1}, h264PPS), false},
	} {
		if got := wrapsAnnexB(tc.nalu); got != tc.wraps {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.wraps)
		}
		checkWrapsAnnexB(t, tc.nalu)
	}
}

func TestUnwrapAnnexB(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		nalu []byte
		want [][]byte
	}{
		{"no start code first", cat(h264SPS, annexBStartCode, h264PPS), [][]byte{h264SPS, h264PPS}},
		{"a 4-byte start code first", cat(annexBStartCode, h264SPS), [][]byte{h264SPS}},
		{"a 3-byte start code first", cat([]byte{0, 0, 1}, h264SPS, []byte{0, 0, 1}, h264PPS), [][]byte{h264SPS, h264PPS}},
		{"a NAL unit alone", h264SEI, [][]byte{h264SEI}},
	} {
		in := bytes.Clone(tc.nalu)
		got, err := unwrapAnnexB(in)
		for i := range in {
			in[i] = 0xee
		}
		if err != nil || !sameUnit(got, tc.want) {
			t.Errorf("%s: %x, %v; want %x", tc.name, got, err, tc.want)
		}
	}
	if _, err := unwrapAnnexB(annexBStartCode); err == nil {
		t.Error("a start code alone gave NAL units")
	}
}

// A camera that wraps its NAL units turns the mode on for good at its
// first wrapped parameter set; STAP-A's NAL units are split only when
// there is one.
func TestH264DepacketizerUnwrapsAnnexBForGood(t *testing.T) {
	t.Parallel()
	slice := sized(2000, 0x65)
	sliceWithCode := cat(sized(10, 0x41), annexBStartCode, sized(10, 0x41))
	large := cat(sized(300, 0x41), annexBStartCode, sized(10, 0x41))
	runSteps(t, newH264Depacketizer().decode, []pktStep{
		{payload: large, ts: 0, marker: true, want: [][]byte{large}}, // not searched (documented)
		{payload: cat(annexBStartCode, h264SPS, annexBStartCode, h264PPS), ts: 1, seq: 1, err: errMorePackets},
		{payload: fuA(0x65, true, false, slice[1:1000]), ts: 1, seq: 2, err: errMorePackets},
		{payload: fuA(0x65, false, true, slice[1000:]), ts: 1, seq: 3, marker: true,
			want: [][]byte{h264SPS, h264PPS, slice}},
		{payload: stapA(sliceWithCode, h264SEI), ts: 2, seq: 4, marker: true, want: [][]byte{sliceWithCode, h264SEI}},
		{payload: stapA(sliceWithCode), ts: 3, seq: 5, marker: true, want: [][]byte{sized(10, 0x41), sized(10, 0x41)}},
		{payload: annexBStartCode, ts: 4, seq: 6, err: errAny, errText: "doesn't contain any NALU"},
		{payload: large, ts: 5, seq: 7, marker: true, want: [][]byte{sized(300, 0x41), sized(10, 0x41)}},
	})
}
