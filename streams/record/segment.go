package record

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"vigil/streams/segstore"
)

// segment is one file being written: a header, then whole fragments. Its
// size only ever counts complete fragments; a failed write is cut back so
// the file stays valid up to its last fragment.
type segment struct {
	fs    FS
	f     File
	chain File // the fragment hashes (segstore.ChainPath)
	link  segstore.Link
	dir   string
	path  string
	start time.Time
	init  segstore.Init
	size  int64
	seq   uint32
	ticks uint64 // media time written so far
}

// maxNameTries bounds the search for a free name when a camera flaps fast
// enough to start two segments within one millisecond.
const maxNameTries = 10

// createSegment makes a segment file and its fragment chain, which
// continues the camera's chain at link.
func createSegment(fsys FS, dir string, start time.Time, in segstore.Init, link segstore.Link, buf []byte) (*segment, error) {
	if err := fsys.MkdirAll(dir); err != nil {
		return nil, err
	}
	var f File
	var path string
	var err error
	for range maxNameTries {
		path = filepath.Join(dir, segstore.FileName(start))
		f, err = fsys.Create(path)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		start = start.Add(time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	s := &segment{fs: fsys, f: f, dir: dir, path: path, start: start, init: in, seq: 1, link: link}
	hdr := segstore.AppendInit(buf[:0], in)
	if _, err := f.Write(hdr); err != nil {
		s.abort()
		return nil, err
	}
	s.size = int64(len(hdr))
	if s.chain, err = fsys.Create(segstore.ChainPath(path)); err != nil {
		s.abort()
		return nil, err
	}
	if _, err := s.chain.Write(segstore.ChainHeader(link)); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

// end is the wall-clock time just after the last written sample.
func (s *segment) end() time.Time {
	return s.start.Add(time.Duration(s.ticks) * time.Second / segstore.Timescale)
}

// writeFragment appends one fragment. On failure it cuts the file back to
// the previous fragment, so a full disk never leaves a torn segment.
func (s *segment) writeFragment(samples []segstore.OutSample, audioBase uint64, audio []segstore.OutSample, buf []byte) ([]byte, error) {
	buf = segstore.AppendFragmentAV(buf[:0], s.seq, s.ticks, samples, audioBase, audio)
	if _, err := s.f.Write(buf); err != nil {
		if terr := s.f.Truncate(s.size); terr != nil {
			err = fmt.Errorf("%w (and cutting back failed: %v)", err, terr)
		}
		return buf, err
	}
	s.size += int64(len(buf))
	line, link := segstore.ChainLine(s.link, s.seq, buf)
	s.seq++
	for i := range samples {
		s.ticks += uint64(samples[i].Duration)
	}
	// The fragment is on disk; without its line it reads as unhashed.
	if _, err := s.chain.Write(line); err != nil {
		return buf, fmt.Errorf("fragment chain: %w", err)
	}
	s.link = link
	return buf, nil
}

// close makes the segment and its chain durable: file data, then their
// directory entries.
func (s *segment) close() error {
	err := syncClose(s.f)
	if cerr := syncClose(s.chain); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.SyncDir(s.dir)
	}
	return err
}

func syncClose(f File) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// abort gives up on the segment after a failure, keeping what is
// complete; a segment without a fragment holds no video and is removed,
// with its chain.
func (s *segment) abort() {
	if s.chain != nil {
		_ = s.chain.Close()
	}
	if s.seq == 1 {
		_ = s.f.Close()
		_ = s.fs.Remove(s.path)
		if s.chain != nil {
			_ = s.fs.Remove(segstore.ChainPath(s.path))
		}
		return
	}
	_ = s.f.Truncate(s.size)
	_ = s.f.Close()
}
