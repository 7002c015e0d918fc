package transcode

import (
	"bytes"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/streams/media"
)

// Each small video frame goes out with its PES length set; the stream
// still demuxes to the same frames.
func TestFrameWriterSetsPESLength(t *testing.T) {
	var out bytes.Buffer
	tr := media.Track{Codec: media.CodecH264}
	w, err := newTSWriter(&out, tr, newSessionClock(frame{}))
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{20, 5000, 70000, 300}
	for i, n := range sizes {
		nalu := append([]byte{0x41}, bytes.Repeat([]byte{0xaa}, n)...)
		if i == 0 {
			nalu[0] = 0x65
		}
		au := &media.AccessUnit{NALUs: [][]byte{nalu}, Key: i == 0}
		if err := w.write(frame{pts: time.Duration(i) * frameDur, dts: time.Duration(i) * frameDur, au: au}, tr); err != nil {
			t.Fatal(err)
		}
	}
	var lengths []int
	b := out.Bytes()
	for off := 0; off < len(b); off += tsPacketSize {
		p := b[off : off+tsPacketSize]
		if payload, ok := tsPayload(p); ok && p[1]&0x40 != 0 && len(payload) > 6 && payload[3]&0xf0 == 0xe0 {
			lengths = append(lengths, int(payload[4])<<8|int(payload[5]))
		}
	}
	if len(lengths) != 4 || lengths[0] == 0 || lengths[1] == 0 || lengths[2] != 0 || lengths[3] == 0 {
		t.Fatalf("PES lengths %v, want set for all but the 70 kB frame", lengths)
	}

	r := &mpegts.Reader{R: bytes.NewReader(b)}
	if err := r.Initialize(); err != nil {
		t.Fatal(err)
	}
	var got []int
	r.OnDataH264(r.Tracks()[0], func(_, _ int64, au [][]byte) error {
		got = append(got, len(au[0])-1)
		return nil
	})
	for r.Read() == nil {
	}
	if len(got) != 4 || got[0] != sizes[0] || got[2] != sizes[2] || got[3] != sizes[3] {
		t.Fatalf("demuxed NAL sizes %v, want %v", got, sizes)
	}
}
