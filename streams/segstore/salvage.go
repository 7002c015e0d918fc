package segstore

import "bytes"

// Salvage: a fragment that does not parse (bytes overwritten, a bad
// sector) must not cost the fragments after it. Every fragment is a
// moof box followed by its mdat, so the next intact one is found by
// looking for the next "moof" type code whose box and mdat parse and
// whose samples lie inside that mdat.

// salvageChunk is how much of the file the scanner reads at a time.
const salvageChunk = 64 << 10

// Resync moves the reader past damage after Next failed: it scans
// forward from the failing position for the next complete fragment and
// reports whether it found one, which Next then returns. Bytes skipped
// are lost to playback, not to the file.
func (sr *Reader) Resync() bool {
	off, ok := sr.findFragment(sr.pos + 1)
	sr.pos = off
	return ok
}

// findFragment returns the offset of the first complete fragment at or
// after from, or limit and false when there is none.
func (sr *Reader) findFragment(from int64) (int64, bool) {
	buf := make([]byte, min(salvageChunk, max(sr.limit-from, 0)))
	for at := max(from+4, 4); at < sr.limit; {
		n := int(min(int64(len(buf)), sr.limit-at))
		if _, err := sr.r.ReadAt(buf[:n], at); err != nil {
			return sr.limit, false
		}
		for i := 0; i+4 <= n; {
			j := bytes.Index(buf[i:n], []byte("moof"))
			if j < 0 {
				break
			}
			if cand := at + int64(i+j) - 4; sr.fragmentAt(cand) {
				return cand, true
			}
			i += j + 1
		}
		at += int64(max(n-3, 1)) // a type code may straddle two reads
	}
	return sr.limit, false
}

// fragmentAt reports whether a complete, valid fragment starts at off.
func (sr *Reader) fragmentAt(off int64) bool {
	saved := sr.pos
	defer func() { sr.pos = saved }()
	sr.pos = off
	var f Fragment
	return sr.Next(&f) == nil
}
