package segstore

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/media"
)

// h265Init holds the parameter sets x265 writes for 320x180.
var h265Init = Init{Timescale: Timescale, Width: 320, Height: 180, Codec: media.CodecH265,
	VPS: []byte{0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00,
		0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x3c, 0x95, 0x98, 0x09},
	SPS: []byte{0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00,
		0x00, 0x03, 0x00, 0x3c, 0xa0, 0x0a, 0x08, 0x0b, 0x9f, 0x79, 0x65, 0x66, 0x92, 0x4c, 0xaf, 0x01,
		0x68, 0x08, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x40},
	PPS: []byte{0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40}}

// h265Segment is a segment of two fragments of 25 40 ms frames.
func h265Segment() []byte {
	b := AppendInit(nil, h265Init)
	idr := []byte{0x26, 0x01, 0xaf, 0x00} // IDR_W_RADL; payload never decoded
	trail := []byte{0x02, 0x01, 0xd0, 0x00}
	for f := range 2 {
		samples := make([]OutSample, 25)
		for i := range samples {
			samples[i] = OutSample{Duration: 3600, NALUs: [][]byte{trail}}
		}
		samples[0] = OutSample{Duration: 3600, Key: true,
			NALUs: [][]byte{h265Init.VPS, h265Init.SPS, h265Init.PPS, idr}}
		b = AppendFragment(b, uint32(f+1), uint64(f*25*3600), samples)
	}
	return b
}

func TestH265HeaderRoundTrip(t *testing.T) {
	t.Parallel()
	b := h265Segment()
	if !bytes.Contains(b, []byte("hev1")) || !bytes.Contains(b, []byte("hvcC")) {
		t.Fatal("no hev1/hvcC sample entry in the header")
	}
	sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	in := sr.Init
	if !in.IsH265() || in.Width != 320 || in.Height != 180 || in.Timescale != Timescale ||
		!bytes.Equal(in.VPS, h265Init.VPS) || !bytes.Equal(in.SPS, h265Init.SPS) || !bytes.Equal(in.PPS, h265Init.PPS) {
		t.Fatalf("init = %+v", in)
	}
	var f Fragment
	if err := sr.Next(&f); err != nil || len(f.Samples) != 25 || !f.Samples[0].Key || f.Samples[1].Key {
		t.Fatalf("first fragment %+v, %v", f, err)
	}
	// An H.264 header still reads as H.264.
	h := segmentBytes(1, 1, 10)
	if sr, err := NewReader(bytes.NewReader(h), int64(len(h))); err != nil || sr.Init.Codec != media.CodecH264 {
		t.Fatalf("H.264 header: %+v, %v", sr, err)
	}
}

// The start-up scan indexes H.265 segments and repairs a torn one.
func TestOpenRepairsTornH265Segment(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "cam")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, FileName(t0))
	torn := filepath.Join(dir, FileName(t0.Add(2*time.Second)))
	b := h265Segment()
	if err := os.WriteFile(good, b, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(torn, b[:len(b)-10], 0o640); err != nil {
		t.Fatal(err)
	}
	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	segs := x.Segments("cam", t0, t0.Add(time.Hour))
	if len(segs) != 2 || !segs[0].End.Equal(t0.Add(2*time.Second)) || !segs[1].End.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("segments = %+v", segs)
	}
	if in, err := ScanFile(torn); err != nil || !in.Intact() || in.Fragments != 1 || !in.Init.IsH265() {
		t.Fatalf("rescan after repair: %+v, %v", in, err)
	}
}

// A clip's hvc1 carries the very hvcC box of the segment header.
func TestAppendSampleEntryH265(t *testing.T) {
	t.Parallel()
	e := AppendSampleEntry(nil, h265Init)
	if string(e[4:8]) != "hvc1" || int(binary.BigEndian.Uint32(e)) != len(e) {
		t.Fatalf("sample entry %q, size %d of %d", e[4:8], binary.BigEndian.Uint32(e), len(e))
	}
	if w, h := binary.BigEndian.Uint16(e[32:]), binary.BigEndian.Uint16(e[34:]); w != 320 || h != 180 {
		t.Fatalf("sample entry says %dx%d", w, h)
	}
	box := e[86:]
	if string(box[4:8]) != "hvcC" || int(binary.BigEndian.Uint32(box)) != len(box) {
		t.Fatalf("child %q of %d bytes, %d left", box[4:8], binary.BigEndian.Uint32(box), len(box))
	}
	if !bytes.Contains(AppendInit(nil, h265Init), box) {
		t.Fatal("hvcC differs from the segment header's")
	}
	if e := AppendSampleEntry(nil, testInit); string(e[4:8]) != "avc1" || string(e[90:94]) != "avcC" {
		t.Fatalf("H.264 sample entry %q / %q", e[4:8], e[90:94])
	}
}
