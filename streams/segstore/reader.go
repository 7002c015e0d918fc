package segstore

import (
	"errors"
	"fmt"
	"io"
)

// ErrTorn means a segment's data ends inside a fragment: the file is being
// written, or a crash cut it short. Everything before is usable.
var ErrTorn = errTorn

// maxHeaderBox bounds the moov and moof boxes read into memory: ours are a
// few kilobytes; a bigger one is corruption, not a reason to allocate.
const maxHeaderBox = 4 << 20

// Reader walks the fragments of one segment without loading its media:
// only the moov and one moof at a time are held in memory.
//
// The header is decoded by mediacommon (parseInit). The walk over the
// fragments stays hand-written (box.go, fragment.go) because mediacommon
// cannot do it within what the walk is for: fmp4.Parts.Unmarshal takes
// the whole file as one []byte, media included, and resolves every
// sample's payload in it, while the crash-repair scan at start-up must
// find the last complete fragment of every segment on disk, torn ones
// included, and clip export must keep its memory independent of clip
// length; both read only box headers and moof boxes, never the media.
type Reader struct {
	Init Init

	r     io.ReaderAt
	limit int64
	pos   int64
	buf   []byte
	hdr   [16]byte
}

// NewReader reads the segment header from r, whose usable data ends at
// limit (the file size, or the bytes known complete).
func NewReader(r io.ReaderAt, limit int64) (*Reader, error) {
	sr := &Reader{r: r, limit: limit}
	for {
		h, err := readBoxHeader(r, sr.pos, limit, &sr.hdr)
		if err != nil {
			return nil, fmt.Errorf("segstore: segment header: %w", err)
		}
		switch h.typ {
		case "moov":
			box, err := sr.readBox(h)
			if err != nil {
				return nil, err
			}
			if sr.Init, err = parseInitCached(box); err != nil {
				return nil, err
			}
			sr.pos += h.size
			return sr, nil
		case "moof", "mdat":
			return nil, fmt.Errorf("segstore: %s before moov", h.typ)
		}
		sr.pos += h.size
	}
}

// readBox reads the whole box at pos, header included, into sr.buf.
func (sr *Reader) readBox(h boxHeader) ([]byte, error) {
	if h.size > maxHeaderBox {
		return nil, fmt.Errorf("segstore: %s box of %d bytes: %w", h.typ, h.size, errBadBox)
	}
	n := int(h.size)
	if cap(sr.buf) < n {
		sr.buf = make([]byte, n)
	}
	sr.buf = sr.buf[:n]
	if _, err := sr.r.ReadAt(sr.buf, sr.pos); err != nil {
		return nil, readErr(err)
	}
	return sr.buf, nil
}

// Pos is the offset just past the header or the last fragment read: the
// length of the segment's usable prefix.
func (sr *Reader) Pos() int64 { return sr.pos }

// Next reads the next fragment into f, reusing f.Samples. It returns
// io.EOF at a clean end, ErrTorn when the data ends inside a fragment,
// and another error when the data is corrupt.
func (sr *Reader) Next(f *Fragment) error {
	for sr.pos < sr.limit {
		h, err := readBoxHeader(sr.r, sr.pos, sr.limit, &sr.hdr)
		if err != nil {
			if h.typ == "moof" && h.size > maxHeaderBox {
				// Not a fragment cut short: no moof is that big.
				return fmt.Errorf("segstore: moof box of %d bytes: %w", h.size, errBadBox)
			}
			return err
		}
		if h.typ != "moof" {
			if !skippable[h.typ] {
				// A stray mdat or an unknown type: a moof was overwritten.
				return fmt.Errorf("segstore: %q box where a fragment should start: %w", h.typ, errBadBox)
			}
			sr.pos += h.size
			continue
		}
		box, err := sr.readBox(h)
		if err != nil {
			return err
		}
		mdatPos := sr.pos + h.size
		mh, err := readBoxHeader(sr.r, mdatPos, sr.limit, &sr.hdr)
		if err != nil {
			return err
		}
		if mh.typ != "mdat" {
			return fmt.Errorf("segstore: moof followed by %q: %w", mh.typ, errBadBox)
		}
		end := mdatPos + mh.size
		if err := parseMoof(box[h.hdr:], sr.pos, mdatPos+mh.hdr, end, f); err != nil {
			return err
		}
		f.Start, f.End = sr.pos, end
		sr.pos = end
		return nil
	}
	return io.EOF
}

// skippable are the boxes an fMP4 may hold between fragments.
var skippable = map[string]bool{"free": true, "skip": true, "sidx": true, "styp": true, "prft": true, "emsg": true,
	"ssix": true, "udta": true, "uuid": true}

// ErrIO marks a failure to read the file, as opposed to what it holds:
// such a segment must not be "repaired".
var ErrIO = errors.New("segstore: read error")

// readErr maps a ReadAt failure: running out of data is a torn file (it
// shrank under us), anything else an I/O error.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTorn
	}
	return fmt.Errorf("%w: %w", ErrIO, err)
}
