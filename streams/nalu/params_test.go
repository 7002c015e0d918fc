package nalu

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/media"
)

// A 1920x1080 H.264 baseline SPS, as real cameras send it.
var testSPS = []byte{
	0x67, 0x42, 0xc0, 0x28, 0xd9, 0x00, 0x78, 0x02,
	0x27, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04,
	0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c, 0x60, 0xc9, 0x20,
}

func TestLearnKeepsACopyOfNewSetsOnly(t *testing.T) {
	t.Parallel()
	var p Params
	pps := []byte{0x68, 0xce, 0x3c, 0x80}
	p.Learn(&p.PPS, pps)
	pps[1] = 0 // the depacketizer reuses its buffers
	if !bytes.Equal(p.PPS, []byte{0x68, 0xce, 0x3c, 0x80}) {
		t.Fatalf("PPS %x is not a copy", p.PPS)
	}
	if _, changed := p.Track(media.CodecH264, false); !changed {
		t.Error("a new PPS did not change the track")
	}
	p.Learn(&p.PPS, []byte{0x68, 0xce, 0x3c, 0x80})
	p.Learn(&p.PPS, nil)
	if _, changed := p.Track(media.CodecH264, false); changed || p.PPS == nil {
		t.Errorf("the same or an empty PPS changed the track (PPS %x)", p.PPS)
	}
}

func TestLearnSPSTakesSizeAndRefusesBrokenOnes(t *testing.T) {
	t.Parallel()
	var p Params
	var c Counters
	if !p.LearnSPS(testSPS, h264Size, &c) {
		t.Fatal("a good SPS was refused")
	}
	tr, changed := p.Track(media.CodecH264, true)
	if !changed || tr.Width != 1920 || tr.Height != 1080 || !bytes.Equal(tr.SPS, testSPS) || !tr.Reordered || tr.Codec != media.CodecH264 {
		t.Fatalf("track %+v, changed %v", tr, changed)
	}
	if p.LearnSPS(testSPS, h264Size, &c) || p.LearnSPS(nil, h264Size, &c) {
		t.Error("the SPS in force or an empty one was taken again")
	}
	if p.LearnSPS([]byte{0x67, 0xff}, h264Size, &c) || c.BadSPS != 1 {
		t.Errorf("a truncated SPS: BadSPS %d", c.BadSPS)
	}
	if _, changed := p.Track(media.CodecH264, false); changed || !bytes.Equal(p.SPS, testSPS) || p.Width != 1920 {
		t.Errorf("refused SPSs changed the track: %x %dx%d", p.SPS, p.Width, p.Height)
	}
}

func TestLearnSPSRefusesImpossiblePictures(t *testing.T) {
	t.Parallel()
	var p Params
	var c Counters
	// Any picture size, which no real SPS bytes could make small enough to
	// read in a test.
	huge := func([]byte) (int, int, error) { return MaxPictureSide + 1, 1080, nil }
	if p.LearnSPS([]byte{0x67, 1}, huge, &c) || c.Broken != 1 || p.SPS != nil {
		t.Errorf("an SPS of %dx1080: taken, Broken %d", MaxPictureSide+1, c.Broken)
	}
}

// h264Size is avc.Codec's PictureSize, which this package cannot import.
func h264Size(sps []byte) (int, int, error) {
	var s h264.SPS
	err := s.Unmarshal(sps)
	return s.Width(), s.Height(), err
}
