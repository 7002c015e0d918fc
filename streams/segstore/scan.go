package segstore

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Info is what a scan of one segment file finds.
type Info struct {
	Start     time.Time // from the file name
	End       time.Time // start plus the media time of the last complete fragment
	Size      int64     // bytes up to the end of the last complete fragment
	FileSize  int64
	Fragments int // complete fragments, salvaged ones included
	Init      Init
	// Problem explains why the file is longer than Size or was damaged:
	// a torn tail (crash mid-write) or corrupt data. Empty when the file
	// is intact.
	Problem string
	// Damaged means corrupt data, not just a torn tail: the file must be
	// kept aside byte for byte and its intact fragments (Good) rebuilt
	// into a new segment.
	Damaged bool
	// HeaderEnd is the end of the segment header (ftyp + moov).
	HeaderEnd int64
	// Good are the byte ranges of the intact fragments, in file order.
	Good []ByteRange
	// Salvaged counts the fragments found after damage.
	Salvaged int
}

// ByteRange is [From, To) in a file.
type ByteRange struct{ From, To int64 }

// Intact reports whether the whole file is usable.
func (in Info) Intact() bool { return in.Problem == "" && in.Size == in.FileSize }

// GoodBytes is the size of the intact fragments.
func (in Info) GoodBytes() int64 {
	var n int64
	for _, g := range in.Good {
		n += g.To - g.From
	}
	return n
}

// ScanFile reads a segment's header and walks its fragments (moof boxes
// only: media is never read) to find its end and usable length. Past
// corrupt data it looks for the next intact fragment (Reader.Resync).
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
		// A torn header is a crash right after the file was made; any
		// other unreadable header is damage, and the file is kept.
		in.Problem, in.Damaged = err.Error(), !errors.Is(err, errTorn)
		return in, nil
	}
	in.Init, in.HeaderEnd = sr.Init, sr.Pos()
	end, err := walkFragments(sr, &in)
	if err != nil {
		return in, err
	}
	switch {
	case in.Problem == "":
		in.Size = sr.Pos()
	case in.Damaged:
		in.Size = in.HeaderEnd + in.GoodBytes() // once rebuilt
	case len(in.Good) > 0:
		in.Size = in.Good[len(in.Good)-1].To // before the torn tail
	}
	if in.Fragments == 0 {
		in.Size = 0 // a header alone holds no video
	}
	in.End = start.Add(ticksToDuration(end, sr.Init.Timescale))
	return in, nil
}

// walkFragments records every intact fragment in in, resyncing past
// damage, and returns the media end time of the last one.
func walkFragments(sr *Reader, in *Info) (uint64, error) {
	var frag Fragment
	var end uint64
	pos := sr.Pos()
	for {
		err := sr.Next(&frag)
		if err == io.EOF {
			return end, nil
		}
		if errors.Is(err, ErrIO) {
			return end, err
		}
		if err != nil {
			if in.Problem == "" {
				in.Problem = err.Error()
			}
			if !errors.Is(err, errTorn) {
				in.Damaged = true // corrupt, even with nothing after it
			}
			if !sr.Resync() {
				return end, nil
			}
			in.Damaged = true // intact fragments after bad bytes
			pos = sr.Pos()
			continue
		}
		if in.Problem != "" {
			in.Salvaged++
		}
		in.Fragments++
		in.Good = append(in.Good, ByteRange{pos, frag.End})
		pos = frag.End
		end = frag.BaseTime + frag.Duration()
	}
}

// ticksToDuration converts media ticks to a duration without overflow for
// any realistic segment.
func ticksToDuration(ticks uint64, timescale uint32) time.Duration {
	ts := uint64(timescale)
	return time.Duration(ticks/ts)*time.Second + time.Duration(ticks%ts)*time.Second/time.Duration(ts)
}
