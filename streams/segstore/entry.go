package segstore

import "encoding/binary"

// AppendSampleEntry appends an avc1 sample entry (with its avcC) for in,
// for the moov of an exported clip. in.SPS must hold at least 4 bytes.
//
// It is written by hand, unlike segments: mediacommon's avc1 carries a
// btrt box that mediacommon's own progressive-MP4 reader (pmp4) rejects,
// and mediacommon has no way to write a sample entry alone; the clip's
// moov around it is hand-written anyway (moov first, sized before the
// samples are read, with an edit list).
func AppendSampleEntry(b []byte, in Init) []byte {
	w := entryBuf{b: b}
	avc1 := w.start("avc1")
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
	w.end(avc1)
	return w.b
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
