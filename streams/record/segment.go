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

func createSegment(fsys FS, dir string, start time.Time, in segstore.Init, buf []byte) (*segment, error) {
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
	s := &segment{fs: fsys, f: f, dir: dir, path: path, start: start, init: in, seq: 1}
	hdr := segstore.AppendInit(buf[:0], in)
	if _, err := f.Write(hdr); err != nil {
		s.abort()
		return nil, err
	}
	s.size = int64(len(hdr))
	return s, nil
}

// end is the wall-clock time just after the last written sample.
func (s *segment) end() time.Time {
	return s.start.Add(time.Duration(s.ticks) * time.Second / segstore.Timescale)
}

// writeFragment appends one fragment. On failure it cuts the file back to
// the previous fragment, so a full disk never leaves a torn segment.
func (s *segment) writeFragment(samples []segstore.OutSample, buf []byte) ([]byte, error) {
	buf = segstore.AppendFragment(buf[:0], s.seq, s.ticks, samples)
	if _, err := s.f.Write(buf); err != nil {
		if terr := s.f.Truncate(s.size); terr != nil {
			err = fmt.Errorf("%w (and cutting back failed: %v)", err, terr)
		}
		return buf, err
	}
	s.size += int64(len(buf))
	s.seq++
	for i := range samples {
		s.ticks += uint64(samples[i].Duration)
	}
	return buf, nil
}

// close makes the segment durable: file data, then its directory entry.
func (s *segment) close() error {
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.SyncDir(s.dir)
	}
	return err
}

// abort gives up on the segment after a failure, keeping what is
// complete; a segment without a fragment holds no video and is removed.
func (s *segment) abort() {
	if s.seq == 1 {
		_ = s.f.Close()
		_ = s.fs.Remove(s.path)
		return
	}
	_ = s.f.Truncate(s.size)
	_ = s.f.Close()
}
