package segstore

import (
	"encoding/binary"
	"fmt"
)

// AppendSampleEntry appends the sample entry for in, for the moov of an
// exported clip: avc1 with its avcC for H.264 (in.SPS must hold at least 4
// bytes), hvc1 with its hvcC for H.265 (in must be valid, as for
// AppendInit).
//
// It is written by hand, unlike segments: mediacommon's avc1 carries a
// btrt box that mediacommon's own progressive-MP4 reader (pmp4) rejects,
// and mediacommon has no way to write a sample entry alone; the clip's
// moov around it is hand-written anyway (moov first, sized before the
// samples are read, with an edit list). The hvcC is mediacommon's own,
// taken from a segment header: clip and segments describe H.265 alike.
func AppendSampleEntry(b []byte, in Init) []byte {
	w := entryBuf{b: b}
	typ := "avc1"
	if in.IsH265() {
		typ = "hvc1"
	}
	entry := w.start(typ)
	w.zeros(6)
	w.u16(1) // data reference index
	w.zeros(16)
	w.u16(uint16(in.Width))
	w.u16(uint16(in.Height))
	w.u32(0x480000) // 72 dpi
	w.u32(0x480000)
	w.u32(0)    // reserved
	w.u16(1)    // frame count
	w.zeros(32) // compressor name
	w.u16(0x18) // depth
	w.u16(0xffff)
	if in.IsH265() {
		w.b = append(w.b, hvcC(in)...)
	} else {
		w.avcC(in)
	}
	w.end(entry)
	return w.b
}

func (w *entryBuf) avcC(in Init) {
	avcC := w.start("avcC")
	w.b = append(w.b, 1)              // version
	w.b = append(w.b, in.SPS[1:4]...) // profile, compatibility, level
	w.b = append(w.b, 0xff, 0xe1)     // 4-byte NAL lengths; one SPS
	w.u16(uint16(len(in.SPS)))
	w.b = append(w.b, in.SPS...)
	w.b = append(w.b, 1) // one PPS
	w.u16(uint16(len(in.PPS)))
	w.b = append(w.b, in.PPS...)
	w.end(avcC)
}

// boxStep is one step down a box path: a box's type and the bytes of
// its body before its children.
type boxStep struct {
	typ  string
	skip int
}

// hvcCPath leads from a segment header to the hvcC box of its video.
var hvcCPath = []boxStep{{"moov", 0}, {"trak", 0}, {"mdia", 0}, {"minf", 0}, {"stbl", 0},
	{"stsd", 8},  // version, flags, entry count
	{"hev1", 78}} // the visual sample entry's fields

// hvcC returns the hvcC box (header included) that mediacommon writes in
// the segment header for in.
func hvcC(in Init) []byte {
	box, err := findBox(AppendInit(nil, Init{Timescale: in.Timescale, Codec: in.Codec, VPS: in.VPS, SPS: in.SPS, PPS: in.PPS}), hvcCPath, "hvcC")
	if err != nil {
		panic(err.Error())
	}
	return box
}

// findBox follows path down from b (a run of boxes) and returns the box
// of type last found there, header included.
func findBox(b []byte, path []boxStep, last string) ([]byte, error) {
	for _, p := range append(path, boxStep{last, 0}) {
		var body []byte
		found := false
		_ = eachChild(b, func(typ string, bb []byte) error {
			if typ == p.typ && !found {
				body, found = bb, true
			}
			return nil
		})
		if !found || len(body) < p.skip {
			return nil, fmt.Errorf("segstore: no %s box in a segment header", p.typ)
		}
		if p.typ == last {
			box := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
			return append(append(box, last...), body...), nil
		}
		b = body[p.skip:]
	}
	return nil, fmt.Errorf("segstore: no %s box", last)
}

// entryBuf appends boxes to a byte slice, patching a box's size at its end.
type entryBuf struct{ b []byte }

func (w *entryBuf) start(typ string) int {
	at := len(w.b)
	w.b = append(append(w.b, 0, 0, 0, 0), typ...)
	return at
}

func (w *entryBuf) end(at int) { binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at)) }

func (w *entryBuf) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *entryBuf) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *entryBuf) zeros(n int)  { w.b = append(w.b, make([]byte, n)...) }
