package segstore

import "encoding/binary"

// boxBuf appends ISO-BMFF boxes to a byte slice; sizes are patched when a
// box ends, so callers never compute them by hand.
type boxBuf struct {
	b    []byte
	open []int
}

func (w *boxBuf) start(typ string) {
	w.open = append(w.open, len(w.b))
	w.b = append(w.b, 0, 0, 0, 0)
	w.b = append(w.b, typ...)
}

func (w *boxBuf) full(typ string, version uint8, flags uint32) {
	w.start(typ)
	w.u32(uint32(version)<<24 | flags)
}

func (w *boxBuf) end() {
	i := w.open[len(w.open)-1]
	w.open = w.open[:len(w.open)-1]
	binary.BigEndian.PutUint32(w.b[i:], uint32(len(w.b)-i))
}

func (w *boxBuf) u8(v uint8)     { w.b = append(w.b, v) }
func (w *boxBuf) u16(v uint16)   { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *boxBuf) u32(v uint32)   { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *boxBuf) u64(v uint64)   { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *boxBuf) zeros(n int)    { w.b = append(w.b, make([]byte, n)...) }
func (w *boxBuf) bytes(v []byte) { w.b = append(w.b, v...) }
func (w *boxBuf) matrix() {
	w.u32(0x10000)
	w.zeros(12)
	w.u32(0x10000)
	w.zeros(12)
	w.u32(0x40000000)
}
func (w *boxBuf) u32s(v ...uint32) {
	for _, x := range v {
		w.u32(x)
	}
}

// AppendSampleEntry appends an avc1 sample entry (with its avcC) for in.
// Segments and exported clips describe their video with the same bytes.
func AppendSampleEntry(b []byte, in Init) []byte {
	w := boxBuf{b: b}
	w.start("avc1")
	w.zeros(6)
	w.u16(1) // data reference index
	w.zeros(16)
	w.u16(uint16(in.Width))
	w.u16(uint16(in.Height))
	w.u32s(0x480000, 0x480000, 0) // 72 dpi, reserved
	w.u16(1)                      // frame count
	w.zeros(32)                   // compressor name
	w.u16(0x18)
	w.u16(0xffff)
	w.start("avcC")
	w.u8(1)
	w.bytes(in.SPS[1:4]) // profile, compatibility, level
	w.u8(0xff)           // 4-byte NAL lengths
	w.u8(0xe1)           // one SPS
	w.u16(uint16(len(in.SPS)))
	w.bytes(in.SPS)
	w.u8(1)
	w.u16(uint16(len(in.PPS)))
	w.bytes(in.PPS)
	w.end()
	w.end()
	return w.b
}

// AppendInit appends a fragmented-MP4 header (ftyp + moov with mvex) for
// one H.264 track. in.SPS must hold at least 4 bytes.
func AppendInit(b []byte, in Init) []byte {
	w := boxBuf{b: b}
	w.start("ftyp")
	w.bytes([]byte("iso5"))
	w.u32(512)
	w.bytes([]byte("iso5iso6avc1mp41"))
	w.end()
	w.start("moov")
	w.full("mvhd", 0, 0)
	w.u32s(0, 0, 1000, 0, 0x10000)
	w.u16(0x100)
	w.zeros(10)
	w.matrix()
	w.zeros(24)
	w.u32(2) // next track id
	w.end()
	w.start("trak")
	w.full("tkhd", 0, 3)
	w.u32s(0, 0, 1, 0, 0, 0, 0, 0, 0)
	w.matrix()
	w.u32s(uint32(in.Width)<<16, uint32(in.Height)<<16)
	w.end()
	w.start("mdia")
	w.full("mdhd", 0, 0)
	w.u32s(0, 0, in.Timescale, 0)
	w.u16(0x55c4) // "und"
	w.u16(0)
	w.end()
	appendHdlr(&w)
	w.start("minf")
	appendVmhdDinf(&w)
	w.start("stbl")
	w.full("stsd", 0, 0)
	w.u32(1)
	w.b = AppendSampleEntry(w.b, in)
	w.end()
	for _, t := range []string{"stts", "stsc", "stco"} {
		w.full(t, 0, 0)
		w.u32(0)
		w.end()
	}
	w.full("stsz", 0, 0)
	w.u32s(0, 0)
	w.end()
	w.end() // stbl
	w.end() // minf
	w.end() // mdia
	w.end() // trak
	w.start("mvex")
	w.full("trex", 0, 0)
	w.u32s(1, 1, 0, 0, 0)
	w.end()
	w.end()
	w.end() // moov
	return w.b
}

func appendHdlr(w *boxBuf) {
	w.full("hdlr", 0, 0)
	w.u32(0)
	w.bytes([]byte("vide"))
	w.zeros(12)
	w.bytes([]byte("VideoHandler\x00"))
	w.end()
}

func appendVmhdDinf(w *boxBuf) {
	w.full("vmhd", 0, 1)
	w.zeros(8)
	w.end()
	w.start("dinf")
	w.full("dref", 0, 0)
	w.u32(1)
	w.full("url ", 0, 1) // media is in this file
	w.end()
	w.end()
	w.end()
}

// OutSample is one access unit to write: its NAL units are stored
// length-prefixed (AVCC), in-band parameter sets included.
type OutSample struct {
	Duration uint32
	Key      bool
	NALUs    [][]byte
}

// Size is the sample's payload size in the file.
func (s *OutSample) Size() int {
	n := 0
	for _, nalu := range s.NALUs {
		n += 4 + len(nalu)
	}
	return n
}

// AppendFragment appends one moof+mdat holding samples, whose first
// decode time is base (in the segment timescale).
func AppendFragment(b []byte, seq uint32, base uint64, samples []OutSample) []byte {
	w := boxBuf{b: b}
	moofAt := len(w.b)
	w.start("moof")
	w.full("mfhd", 0, 0)
	w.u32(seq)
	w.end()
	w.start("traf")
	w.full("tfhd", 0, 0x020000) // default-base-is-moof
	w.u32(1)
	w.end()
	w.full("tfdt", 1, 0)
	w.u64(base)
	w.end()
	w.full("trun", 0, trunDataOffset|trunDuration|trunSize|trunFlags)
	w.u32(uint32(len(samples)))
	offsetAt := len(w.b)
	w.u32(0)
	data := 0
	for i := range samples {
		s := &samples[i]
		w.u32(s.Duration)
		w.u32(uint32(s.Size()))
		data += s.Size()
		if s.Key {
			w.u32(0x02000000) // depends on no other sample
		} else {
			w.u32(0x01010000) // depends on others; not a sync sample
		}
	}
	w.end()
	w.end()
	w.end()
	binary.BigEndian.PutUint32(w.b[offsetAt:], uint32(len(w.b)-moofAt+8))
	w.u32(uint32(8 + data))
	w.bytes([]byte("mdat"))
	for i := range samples {
		for _, nalu := range samples[i].NALUs {
			w.u32(uint32(len(nalu)))
			w.bytes(nalu)
		}
	}
	return w.b
}
