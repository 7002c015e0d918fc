package avc

import (
	"bytes"
	"testing"
	"time"

	"vigil/streams/media"
	"vigil/streams/nalu"
)

// A 1920x1080 baseline SPS, as real cameras send it. The rules these units
// go through are tested once for both codecs in package nalu; here is
// what is H.264's own.
var (
	testSPS = []byte{
		0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02,
		0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04,
		0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20,
	}
	testPPS = []byte{0x68, 0xce, 0x3c, 0x80}
	idr     = []byte{0x65, 0x88, 0x84, 0x00}
	pslice  = []byte{0x41, 0x9a, 0x02}
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// Every H.264 NAL unit type, as the shared normalizer must see it.
func TestKind(t *testing.T) {
	t.Parallel()
	want := [32]nalu.Kind{
		0: nalu.KindBroken, // unspecified
		1: nalu.KindSlice, 2: nalu.KindSlice, 5: nalu.KindKeySlice,
		7: nalu.KindSPS, 8: nalu.KindPPS,
		9: nalu.KindUseless, 12: nalu.KindUseless, // AUD, filler
	}
	for typ := 3; typ < 24; typ++ {
		if want[typ] == nalu.KindBroken {
			want[typ] = nalu.KindOther // data partitions B and C, SEI, end of sequence...
		}
	}
	for typ := 24; typ < 32; typ++ {
		want[typ] = nalu.KindBroken // STAP, MTAP, FU: RTP packaging
	}
	for typ, k := range want {
		for _, ref := range []byte{0, 0x60} { // nal_ref_idc does not matter
			if got := (Codec{}).Kind([]byte{ref | byte(typ), 0x80}); got != k {
				t.Errorf("type %d (ref %#x): kind %d, want %d", typ, ref, got, k)
			}
		}
	}
}

// SetParams seeds the sets from the SDP: the next IDR carries them, and
// the track has the SPS's size.
func TestSetParams(t *testing.T) {
	t.Parallel()
	var n Normalizer
	n.SetParams(nil, testSPS, testPPS)
	au := n.Normalize([][]byte{idr}, 0, t0)
	if au == nil || !au.Key || !equalNALUs(au.NALUs, [][]byte{testSPS, testPPS, idr}) {
		t.Fatalf("IDR after SetParams: %v", au)
	}
	if tr, changed := n.Track(); !changed || tr.Codec != media.CodecH264 || tr.Width != 1920 || tr.Height != 1080 || tr.VPS != nil {
		t.Fatalf("track %+v changed %v", tr, changed)
	}
}

// MaxNALUSize bounds a NAL unit when set.
func TestMaxNALUSize(t *testing.T) {
	t.Parallel()
	n := Normalizer{MaxNALUSize: 64}
	big := append([]byte{0x41}, make([]byte, 64)...)
	if au := n.Normalize([][]byte{big, pslice}, 0, t0); au == nil || !equalNALUs(au.NALUs, [][]byte{pslice}) {
		t.Fatalf("got %v, want only the small P slice", au)
	}
	if c := n.Counters(); c.Oversize != 1 {
		t.Fatalf("Oversize = %d, want 1", c.Oversize)
	}
}

func equalNALUs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
