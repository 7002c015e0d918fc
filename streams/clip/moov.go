package clip

import (
	"encoding/binary"
	"math"
	"time"

	"vigil/streams/segstore"
)

// layout is the clip's shape, known after the planning pass.
type layout struct {
	init      segstore.Init
	n         counts
	mediaDur  int64 // ticks
	elstStart int64 // ticks into the media where playback starts
	elstDur   int64 // ticks played
	created   time.Time
	co64      bool
	firstCto  int32 // composition offset of the first sample (the keyframe)
	audio     audioLayout
}

// The sample tables, in the order they are written.
const (
	tabStts = iota
	tabCtts // only when a sample has a composition offset (B-frames)
	tabStss
	tabStsc
	tabStsz
	tabStco // or co64
	nTables
)

// tableBytes returns the sizes of the video's tables; ctts is 0 when
// absent.
func (l *layout) tableBytes() [nTables]int64 { return l.n.tableBytes(l.co64, true) }

// tableBytes returns the sizes of a track's tables: ctts only when a
// sample has a composition offset, stss only for video (sync: without
// one every sample is a sync sample, as audio's are).
func (c *counts) tableBytes(co64, sync bool) [nTables]int64 {
	off := int64(4)
	if co64 {
		off = 8
	}
	var ctts, stss int64
	if c.withCtts {
		ctts = 16 + 8*c.nCtts
	}
	if sync {
		stss = 16 + 4*c.nStss
	}
	return [nTables]int64{16 + 8*c.nStts, ctts, stss, 16 + 12*c.nStsc, 20 + 4*c.nStsz, 16 + off*c.nStco}
}

func (l *layout) tablesTotal() int64 {
	var t int64
	for _, b := range l.tableBytes() {
		t += b
	}
	return t
}

// mdatHeader is a 64-bit size mdat header: clips may pass 4 GiB.
const mdatHeader = 16

// prefix returns ftyp and moov up to the sample tables. The tables are
// the last boxes of stbl, stbl of minf, and so on up to moov, so every box
// still open when they start ends where they end: its size is what is
// written plus the tables.
func (l *layout) prefix() []byte {
	w := boxes{}
	w.start("ftyp")
	w.b = append(w.b, "isom"...)
	w.u32(0x200)
	w.b = append(w.b, "isomiso2avc1mp41"...)
	w.end()

	ct := macTime(l.created)
	w.start("moov")
	w.full("mvhd", 0, 0)
	w.u32s(ct, ct, 1000, ms(l.elstDur), 0x10000)
	w.u16(0x100)
	w.zeros(10)
	w.matrix()
	w.zeros(24)
	w.u32(3) // next track ID: video is 1, audio 2
	w.end()
	w.start("trak")
	w.full("tkhd", 0, 3) // enabled, in movie
	w.u32s(ct, ct, 1, 0, ms(l.elstDur), 0, 0, 0, 0)
	w.matrix()
	w.u32s(uint32(l.init.Width)<<16, uint32(l.init.Height)<<16)
	w.end()
	// The edit list starts playback at "from", not at the keyframe before
	// it that the media must begin with.
	// With B-frames the keyframe is shown at its composition offset,
	// so the played range starts that much later in composition time.
	w.start("edts")
	w.full("elst", 0, 0)
	w.u32s(1, ms(l.elstDur), uint32(int32(l.elstStart+int64(l.firstCto))), 0x10000)
	w.end()
	w.end()
	w.start("mdia")
	w.full("mdhd", 0, 0)
	w.u32s(ct, ct, timescale, uint32(min(l.mediaDur, math.MaxUint32)))
	w.u16(0x55c4) // "und"
	w.u16(0)
	w.end()
	w.full("hdlr", 0, 0)
	w.u32(0)
	w.b = append(w.b, "vide"...)
	w.zeros(12)
	w.b = append(w.b, "VideoHandler\x00"...)
	w.end()
	w.start("minf")
	w.full("vmhd", 0, 1)
	w.zeros(8)
	w.end()
	w.start("dinf")
	w.full("dref", 0, 0)
	w.u32(1)
	w.full("url ", 0, 1)
	w.end()
	w.end()
	w.end()
	w.start("stbl")
	w.full("stsd", 0, 0)
	w.u32(1)
	w.b = segstore.AppendSampleEntry(w.b, l.init)
	w.end()
	w.closeN(4, l.tablesTotal()) // stbl, minf, mdia, trak
	// moov holds the audio trak after the video's tables.
	w.closeAll(l.tablesTotal() + l.audioBytes())
	return w.b
}

// ms converts video ticks to the movie timescale, milliseconds.
func ms(ticks int64) uint32 { return uint32(min(ticks/(timescale/1000), math.MaxUint32)) }

// macTime is seconds since 1904, the MP4 epoch; 0 when it does not fit.
func macTime(t time.Time) uint32 {
	s := t.Unix() + 2082844800
	if t.IsZero() || s < 0 || s > math.MaxUint32 {
		return 0
	}
	return uint32(s)
}

// boxes appends ISO-BMFF boxes, patching sizes when they end.
type boxes struct {
	b    []byte
	open []int
}

func (w *boxes) start(typ string) {
	w.open = append(w.open, len(w.b))
	w.b = append(w.b, 0, 0, 0, 0)
	w.b = append(w.b, typ...)
}

func (w *boxes) full(typ string, version uint8, flags uint32) {
	w.start(typ)
	w.u32(uint32(version)<<24 | flags)
}

func (w *boxes) end() {
	i := w.open[len(w.open)-1]
	w.open = w.open[:len(w.open)-1]
	binary.BigEndian.PutUint32(w.b[i:], uint32(len(w.b)-i))
}

// closeAll ends every open box as if extra more bytes followed.
func (w *boxes) closeAll(extra int64) { w.closeN(len(w.open), extra) }

// closeN ends the n innermost open boxes as if extra more bytes followed.
func (w *boxes) closeN(n int, extra int64) {
	for range n {
		i := w.open[len(w.open)-1]
		w.open = w.open[:len(w.open)-1]
		binary.BigEndian.PutUint32(w.b[i:], uint32(int64(len(w.b)-i)+extra))
	}
}

func (w *boxes) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *boxes) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *boxes) zeros(n int)  { w.b = append(w.b, make([]byte, n)...) }
func (w *boxes) u32s(v ...uint32) {
	for _, x := range v {
		w.u32(x)
	}
}

func (w *boxes) matrix() {
	w.u32s(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
}
