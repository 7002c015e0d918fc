package clip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"vigil/streams/segstore"
)

// errChanged means the second pass over the recordings saw other samples
// than the first: a segment changed on disk under the export.
var errChanged = errors.New("clip: recordings changed during export")

// writeClip writes the clip planned in p to f and returns its size.
func writeClip(ctx context.Context, f *os.File, segs []segstore.Segment, o origin, p *planned, progress func(float64)) (int64, error) {
	prefix := p.prefix()
	if _, err := f.WriteAt(prefix, 0); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	pos := int64(len(prefix))
	fs := &fileSink{ctx: ctx, segs: segs, out: f, co64: p.co64, total: p.n.data, progress: progress}
	sizes := p.tableBytes()
	counts := [nTables]int64{p.n.nStts, p.n.nCtts, p.n.nStss, p.n.nStsc, p.n.nStsz, p.n.nStco}
	types := [nTables]string{"stts", "ctts", "stss", "stsc", "stsz", "stco"}
	if p.co64 {
		types[tabStco] = "co64"
	}
	for i := range fs.tables {
		if sizes[i] == 0 {
			continue // no ctts: no sample has a composition offset
		}
		w := &atWriter{f: f, off: pos, buf: make([]byte, 0, atWriterBuf+8)}
		w.u32(uint32(sizes[i]))
		w.u32(fourCC(types[i]))
		w.u32(0) // version and flags
		if i == tabStsz {
			w.u32(0) // stsz: sizes vary, one entry each
		}
		w.u32(uint32(counts[i]))
		fs.tables[i] = w
		pos += sizes[i]
	}
	mdat := make([]byte, 0, mdatHeader)
	mdat = append(mdat, 0, 0, 0, 1, 'm', 'd', 'a', 't')
	mdat = append(mdat, be64(uint64(mdatHeader+p.n.data))...)
	if _, err := f.WriteAt(mdat, pos); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	fs.dataAt = pos + mdatHeader
	if _, err := f.Seek(fs.dataAt, io.SeekStart); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}

	tl := newTimeline(segs, o, p.from, p.to, p.gapTol)
	defer tl.close()
	defer fs.closeSrc()
	b := tableBuilder{sink: fs}
	var s sample
	n := 0
	for fs.err == nil && tl.next(&s) {
		b.add(&s)
		n++
	}
	b.finish()
	for _, w := range fs.tables {
		if w == nil {
			continue
		}
		w.flush()
		if fs.err == nil {
			fs.err = w.err
		}
	}
	switch {
	case fs.err != nil:
		return 0, fs.err
	case n != p.frames || fs.copied != p.n.data:
		return 0, errChanged
	}
	return fs.dataAt + fs.copied, nil
}

func fourCC(s string) uint32 {
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

func be64(v uint64) []byte {
	return []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// fileSink writes the tables at their places and copies the media.
type fileSink struct {
	ctx      context.Context
	segs     []segstore.Segment
	out      *os.File
	tables   [nTables]*atWriter // tab* order; nil when a table is absent
	co64     bool
	dataAt   int64
	total    int64
	copied   int64
	progress func(float64)
	lastPct  int
	src      *os.File
	srcSeg   int
	lr       io.LimitedReader // reused: one per chunk would be garbage
	err      error
}

func (s *fileSink) stts(count, delta uint32) {
	s.tables[tabStts].u32(count)
	s.tables[tabStts].u32(delta)
}

// ctts entries are version 0 (unsigned): decode time never passes
// presentation time, so recorded offsets are not negative.
func (s *fileSink) ctts(count uint32, off int32) {
	if w := s.tables[tabCtts]; w != nil {
		w.u32(count)
		w.u32(uint32(max(off, 0)))
	}
}
func (s *fileSink) stss(n uint32) { s.tables[tabStss].u32(n) }
func (s *fileSink) stsc(first, spc uint32) {
	s.tables[tabStsc].u32(first)
	s.tables[tabStsc].u32(spc)
	s.tables[tabStsc].u32(1) // sample description index
}
func (s *fileSink) stsz(size uint32) { s.tables[tabStsz].u32(size) }
func (s *fileSink) stco(pos int64) {
	if s.co64 {
		s.tables[tabStco].u64(uint64(s.dataAt + pos))
	} else {
		s.tables[tabStco].u32(uint32(s.dataAt + pos))
	}
}

// chunk copies one run of contiguous samples. Between two files the
// kernel copies (copy_file_range): the media never passes through here.
func (s *fileSink) chunk(seg int, off, n int64) {
	if s.err != nil {
		return
	}
	if s.err = s.ctx.Err(); s.err != nil {
		return
	}
	if s.src == nil || s.srcSeg != seg {
		s.closeSrc()
		if s.src, s.err = os.Open(s.segs[seg].Path); s.err != nil {
			s.err = fmt.Errorf("clip: %w", s.err)
			return
		}
		s.srcSeg = seg
	}
	if _, err := s.src.Seek(off, io.SeekStart); err != nil {
		s.err = fmt.Errorf("clip: %w", err)
		return
	}
	s.lr = io.LimitedReader{R: s.src, N: n}
	w, err := s.out.ReadFrom(&s.lr)
	s.copied += w
	if err == nil && w != n {
		err = errChanged
	}
	if err != nil {
		s.err = fmt.Errorf("clip: copy media: %w", err)
		return
	}
	s.report()
}

func (s *fileSink) report() {
	if s.progress == nil || s.total == 0 {
		return
	}
	if pct := int(s.copied * 100 / s.total); pct > s.lastPct {
		s.lastPct = pct
		s.progress(float64(s.copied) / float64(s.total))
	}
}

func (s *fileSink) closeSrc() {
	if s.src != nil {
		s.src.Close()
		s.src = nil
	}
}
