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
	fs := &fileSink{ctx: ctx, segs: segs, out: f, co64: p.co64, total: p.n.data + p.audio.n.data, progress: progress}
	video := &trackSink{fs: fs}
	pos = video.open(f, pos, &p.n, p.tableBytes(), p.co64)
	audio := &trackSink{fs: fs}
	if p.audio.present() {
		ap := p.audioPrefix()
		if _, err := f.WriteAt(ap, pos); err != nil {
			return 0, fmt.Errorf("clip: %w", err)
		}
		pos = audio.open(f, pos+int64(len(ap)), &p.audio.n, p.audio.tableBytes(p.co64), p.co64)
	}
	mdat := make([]byte, 0, mdatHeader)
	mdat = append(mdat, 0, 0, 0, 1, 'm', 'd', 'a', 't')
	mdat = append(mdat, be64(uint64(mdatHeader+fs.total))...)
	if _, err := f.WriteAt(mdat, pos); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	fs.dataAt = pos + mdatHeader
	if _, err := f.Seek(fs.dataAt, io.SeekStart); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	defer fs.closeSrc()
	n, err := writeVideo(fs, video, segs, o, p)
	if err == nil && p.audio.present() {
		err = p.walkAudio(ctx, segs, &tableBuilder{sink: audio, dataPos: p.n.data})
	}
	for _, w := range append(video.t[:], audio.t[:]...) {
		if w == nil {
			continue
		}
		w.flush()
		if fs.err == nil {
			fs.err = w.err
		}
	}
	switch {
	case err != nil:
		return 0, err
	case fs.err != nil:
		return 0, fs.err
	case n != p.frames || fs.copied != fs.total:
		return 0, errChanged
	}
	return fs.dataAt + fs.copied, nil
}

// writeVideo walks the video samples again, writing their tables and
// copying their media; it returns how many it wrote.
func writeVideo(fs *fileSink, video *trackSink, segs []segstore.Segment, o origin, p *planned) (int, error) {
	tl := newTimeline(segs, o, p.from, p.to, p.gapTol)
	defer tl.close()
	b := tableBuilder{sink: video}
	var s sample
	n := 0
	for fs.err == nil && tl.next(&s) {
		b.add(&s)
		n++
	}
	b.finish()
	return n, fs.err
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

// trackSink writes one track's tables at their places; its media goes
// through the clip's one fileSink.
type trackSink struct {
	fs *fileSink
	t  [nTables]*atWriter // tab* order; nil when a table is absent
}

// open starts the track's tables at pos (sizes from tableBytes, 0 for an
// absent table) and returns the position after them.
func (s *trackSink) open(f *os.File, pos int64, n *counts, sizes [nTables]int64, co64 bool) int64 {
	entries := [nTables]int64{n.nStts, n.nCtts, n.nStss, n.nStsc, n.nStsz, n.nStco}
	types := [nTables]string{"stts", "ctts", "stss", "stsc", "stsz", "stco"}
	if co64 {
		types[tabStco] = "co64"
	}
	for i := range s.t {
		if sizes[i] == 0 {
			continue // no ctts without B-frames, no stss for audio
		}
		w := &atWriter{f: f, off: pos, buf: make([]byte, 0, atWriterBuf+8)}
		w.u32(uint32(sizes[i]))
		w.u32(fourCC(types[i]))
		w.u32(0) // version and flags
		if i == tabStsz {
			w.u32(0) // stsz: sizes vary, one entry each
		}
		w.u32(uint32(entries[i]))
		s.t[i] = w
		pos += sizes[i]
	}
	return pos
}

func (s *trackSink) stts(count, delta uint32) { s.t[tabStts].u32(count); s.t[tabStts].u32(delta) }

// ctts entries are version 0 (unsigned): decode time never passes
// presentation time, so recorded offsets are not negative.
func (s *trackSink) ctts(count uint32, off int32) {
	if w := s.t[tabCtts]; w != nil {
		w.u32(count)
		w.u32(uint32(max(off, 0)))
	}
}
func (s *trackSink) stss(n uint32) {
	if w := s.t[tabStss]; w != nil {
		w.u32(n)
	}
}
func (s *trackSink) stsc(first, spc uint32) {
	s.t[tabStsc].u32(first)
	s.t[tabStsc].u32(spc)
	s.t[tabStsc].u32(1) // sample description index
}
func (s *trackSink) stsz(size uint32) { s.t[tabStsz].u32(size) }
func (s *trackSink) stco(pos int64) {
	if s.fs.co64 {
		s.t[tabStco].u64(uint64(s.fs.dataAt + pos))
	} else {
		s.t[tabStco].u32(uint32(s.fs.dataAt + pos))
	}
}
func (s *trackSink) chunk(seg int, off, n int64) { s.fs.chunk(seg, off, n) }

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
