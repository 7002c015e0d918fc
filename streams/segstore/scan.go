package segstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Info is what a scan of one segment file finds.
type Info struct {
	Start     time.Time // from the file name
	End       time.Time // start plus the duration of the complete fragments
	Size      int64     // bytes up to the end of the last complete fragment
	FileSize  int64
	Fragments int
	Init      Init
	// Problem explains why the file is longer than Size: a torn tail
	// (crash mid-write) or corrupt data. Empty when the file is intact.
	Problem string
}

// Intact reports whether the whole file is usable.
func (in Info) Intact() bool { return in.Problem == "" && in.Size == in.FileSize }

// ScanFile reads a segment's header and walks its fragments (moof boxes
// only: media is never read) to find its end and usable length.
func ScanFile(path string) (Info, error) {
	start, err := ParseFileName(filepath.Base(path))
	if err != nil {
		return Info{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	return scan(f, start, st.Size())
}

func scan(r io.ReaderAt, start time.Time, size int64) (Info, error) {
	in := Info{Start: start, End: start, FileSize: size}
	sr, err := NewReader(r, size)
	if err != nil {
		if errors.Is(err, ErrIO) {
			return in, err
		}
		in.Problem = err.Error()
		return in, nil
	}
	in.Init = sr.Init
	var frag Fragment
	var end uint64
	for {
		err := sr.Next(&frag)
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrIO) {
			return in, err
		}
		if err != nil {
			in.Problem = err.Error()
			break
		}
		in.Fragments++
		end = frag.BaseTime + frag.Duration()
	}
	in.Size = sr.Pos()
	if in.Fragments == 0 {
		in.Size = 0 // a header alone holds no video
	}
	in.End = start.Add(ticksToDuration(end, sr.Init.Timescale))
	return in, nil
}

// ticksToDuration converts media ticks to a duration without overflow for
// any realistic segment.
func ticksToDuration(ticks uint64, timescale uint32) time.Duration {
	ts := uint64(timescale)
	return time.Duration(ticks/ts)*time.Second + time.Duration(ticks%ts)*time.Second/time.Duration(ts)
}

// Repair makes a scanned segment whole: a file with complete fragments is
// cut back to the last of them (the torn tail is lost anyway), and one
// without any is removed. It reports whether the file still exists.
func Repair(path string, in Info) (kept bool, err error) {
	if in.Intact() {
		return true, nil
	}
	if in.Fragments == 0 {
		if err := os.Remove(path); err != nil {
			return true, fmt.Errorf("segstore: remove unusable segment: %w", err)
		}
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return true, fmt.Errorf("segstore: repair: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(in.Size); err != nil {
		return true, fmt.Errorf("segstore: repair: %w", err)
	}
	return true, f.Sync()
}
