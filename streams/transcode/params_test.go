package transcode

import (
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/media"
)

var (
	sps = []byte{0x67, 1}
	pps = []byte{0x68, 2}
	idr = []byte{0x65, 3}
	aud = []byte{0x09, 0xf0}
	sei = []byte{0x06, 4}
)

func TestKeyframeH264PutsParameterSetsFirst(t *testing.T) {
	got := keyframeH264([][]byte{aud, sei, sps, pps, idr}, []byte{0x67, 9}, []byte{0x68, 9})
	want := []h264.NALUType{h264.NALUTypeSPS, h264.NALUTypePPS, h264.NALUTypeSEI, h264.NALUTypeIDR}
	if len(got) != len(want) || got[0][1] != 9 {
		t.Fatalf("got %d NAL units, SPS %v", len(got), got[0])
	}
	for i, n := range got {
		if h264Type(n) != want[i] {
			t.Fatalf("NAL %d is %v, want %v", i, h264Type(n), want[i])
		}
	}
}

func TestDropAUD(t *testing.T) {
	in := [][]byte{aud, {0x41, 1}, aud}
	if got := dropAUD(in); len(got) != 1 || h264Type(got[0]) != h264.NALUTypeNonIDR {
		t.Fatalf("dropAUD left %d units", len(got))
	}
	if h264Type(in[0]) != h264.NALUTypeAccessUnitDelimiter {
		t.Fatal("dropAUD changed its input: units are shared")
	}
}

func TestWithParamsFillsMissingSets(t *testing.T) {
	tr := media.Track{Codec: media.CodecH264, SPS: sps, PPS: pps}
	if got := withParams(media.CodecH264, [][]byte{idr}, tr); len(got) != 3 || h264Type(got[0]) != h264.NALUTypeSPS {
		t.Fatalf("parameter sets not prepended: %d units", len(got))
	}
	if got := withParams(media.CodecH264, [][]byte{sps, pps, idr}, tr); len(got) != 3 {
		t.Fatalf("parameter sets doubled: %d units", len(got))
	}
	if got := nonEmpty([][]byte{{}, idr, nil}); len(got) != 1 {
		t.Fatalf("nonEmpty kept %d", len(got))
	}
}
