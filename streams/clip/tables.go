package clip

import (
	"encoding/binary"
	"os"
)

// sink receives the sample table entries of a clip. The planning pass
// counts them; the writing pass writes them where the count said.
type sink interface {
	stts(count, delta uint32)
	ctts(count uint32, offset int32)
	stss(sample uint32)
	stsc(firstChunk, samplesPerChunk uint32)
	stsz(size uint32)
	stco(dataPos int64) // relative to the start of the mdat payload
	// chunk copies n bytes of media from segment seg at off.
	chunk(seg int, off, n int64)
}

// tableBuilder turns samples into table entries. Every sample is its own
// chunk (stsc has a single entry): readers disagree on how to expand
// multi-entry stsc tables (mediacommon's pmp4 differs from ffmpeg), and
// one chunk offset per sample costs 4 bytes in a table that is streamed
// anyway. Media is still copied in runs of contiguous samples.
type tableBuilder struct {
	sink sink

	n        uint32 // samples so far
	runCount uint32
	runDelta uint32
	ctsCount uint32
	ctsOff   int32
	copySeg  int
	copyOff  int64
	copyLen  int64
	dataPos  int64
}

func (b *tableBuilder) add(s *sample) {
	b.n++
	if b.runCount > 0 && s.dur == b.runDelta {
		b.runCount++
	} else {
		if b.runCount > 0 {
			b.sink.stts(b.runCount, b.runDelta)
		}
		b.runCount, b.runDelta = 1, s.dur
	}
	if b.ctsCount > 0 && s.cto == b.ctsOff {
		b.ctsCount++
	} else {
		if b.ctsCount > 0 {
			b.sink.ctts(b.ctsCount, b.ctsOff)
		}
		b.ctsCount, b.ctsOff = 1, s.cto
	}
	if s.key {
		b.sink.stss(b.n)
	}
	if b.n == 1 {
		b.sink.stsc(1, 1)
	}
	b.sink.stsz(s.size)
	b.sink.stco(b.dataPos)
	if s.chunk {
		b.endCopy()
		b.copySeg, b.copyOff = s.seg, s.off
	}
	b.copyLen += int64(s.size)
	b.dataPos += int64(s.size)
}

func (b *tableBuilder) endCopy() {
	if b.copyLen > 0 {
		b.sink.chunk(b.copySeg, b.copyOff, b.copyLen)
		b.copyLen = 0
	}
}

func (b *tableBuilder) finish() {
	if b.runCount > 0 {
		b.sink.stts(b.runCount, b.runDelta)
		b.runCount = 0
	}
	if b.ctsCount > 0 {
		b.sink.ctts(b.ctsCount, b.ctsOff)
		b.ctsCount = 0
	}
	b.endCopy()
}

// counts is the planning sink: it sizes every table.
type counts struct {
	nStts, nCtts, nStss, nStsc, nStsz, nStco int64
	data                                     int64
	// withCtts: some sample has a composition offset, so the clip needs
	// a ctts (without B-frames it has none, as before).
	withCtts bool
}

func (c *counts) stts(uint32, uint32) { c.nStts++ }
func (c *counts) ctts(_ uint32, off int32) {
	c.nCtts++
	c.withCtts = c.withCtts || off != 0
}
func (c *counts) stss(uint32)             { c.nStss++ }
func (c *counts) stsc(uint32, uint32)     { c.nStsc++ }
func (c *counts) stsz(uint32)             { c.nStsz++ }
func (c *counts) stco(int64)              { c.nStco++ }
func (c *counts) chunk(_ int, _, n int64) { c.data += n }

// atWriter buffers big-endian values and writes them at a fixed position
// of the output, so several tables fill in one pass over the samples.
type atWriter struct {
	f   *os.File
	off int64
	buf []byte
	err error
}

const atWriterBuf = 32 << 10

func (w *atWriter) u32(v uint32) {
	w.buf = binary.BigEndian.AppendUint32(w.buf, v)
	if len(w.buf) >= atWriterBuf {
		w.flush()
	}
}

func (w *atWriter) u64(v uint64) {
	w.u32(uint32(v >> 32))
	w.u32(uint32(v))
}

func (w *atWriter) flush() {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.f.WriteAt(w.buf, w.off)
		w.off += int64(len(w.buf))
	}
	w.buf = w.buf[:0]
}
