package segstore

// A minimal ISO-BMFF scanner for reading segments: box headers through an
// io.ReaderAt, and the children of one box in memory. Segments are written
// and their headers decoded by mediacommon; Reader says why the fragments
// are still walked here.

import (
	"encoding/binary"
	"errors"
	"io"
)

// errTorn means data ends inside a box: a segment cut short by a crash or
// still being written.
var errTorn = errors.New("segstore: box extends past the end of the data")

// errBadBox means a box header is impossible (corruption, not a torn tail).
var errBadBox = errors.New("segstore: malformed box")

type boxHeader struct {
	typ  string
	size int64 // whole box, header included
	hdr  int64 // header length: 8, or 16 with a 64-bit size
}

// readBoxHeader reads the box header at off in a file whose usable data
// ends at limit. A box running past limit is errTorn. b is scratch space,
// passed in so that reading a header does not allocate.
func readBoxHeader(r io.ReaderAt, off, limit int64, b *[16]byte) (boxHeader, error) {
	if limit-off < 8 {
		return boxHeader{}, errTorn
	}
	if _, err := r.ReadAt(b[:8], off); err != nil {
		return boxHeader{}, readErr(err)
	}
	h := boxHeader{typ: boxType(b[4:8]), size: int64(binary.BigEndian.Uint32(b[:4])), hdr: 8}
	switch h.size {
	case 0: // "to the end of the file": only sensible for a last mdat
		h.size = limit - off
	case 1:
		if limit-off < 16 {
			return boxHeader{}, errTorn
		}
		if _, err := r.ReadAt(b[8:16], off+8); err != nil {
			return boxHeader{}, readErr(err)
		}
		u := binary.BigEndian.Uint64(b[8:16])
		if u > 1<<62 {
			return boxHeader{}, errBadBox
		}
		h.size, h.hdr = int64(u), 16
	}
	if h.size < h.hdr {
		return boxHeader{}, errBadBox
	}
	if h.size > limit-off {
		return h, errTorn
	}
	return h, nil
}

// eachChild calls fn for every box in b (the body of a container box).
func eachChild(b []byte, fn func(typ string, body []byte) error) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return errBadBox
		}
		size := uint64(binary.BigEndian.Uint32(b[:4]))
		hdr := uint64(8)
		if size == 1 {
			if len(b) < 16 {
				return errBadBox
			}
			size, hdr = binary.BigEndian.Uint64(b[8:16]), 16
		}
		if size < hdr || size > uint64(len(b)) {
			return errBadBox
		}
		if err := fn(boxType(b[4:8]), b[hdr:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

// bodyReader reads big-endian fields from a box body, remembering the
// first short read so parsers check once at the end.
type bodyReader struct {
	b   []byte
	bad bool
}

func (r *bodyReader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b) < n {
		r.bad = true
		return make([]byte, max(n, 0))
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *bodyReader) u8() uint8   { return r.take(1)[0] }
func (r *bodyReader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }
func (r *bodyReader) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }

// boxType returns a box type as a string without allocating for the types
// read once per fragment: export walks thousands of fragments.
func boxType(b []byte) string {
	switch string(b) {
	case "moof":
		return "moof"
	case "mdat":
		return "mdat"
	case "mfhd":
		return "mfhd"
	case "traf":
		return "traf"
	case "tfhd":
		return "tfhd"
	case "tfdt":
		return "tfdt"
	case "trun":
		return "trun"
	case "moov":
		return "moov"
	case "ftyp":
		return "ftyp"
	}
	return string(b)
}
