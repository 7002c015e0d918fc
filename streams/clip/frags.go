package clip

import (
	"errors"
	"fmt"
	"io"
	"os"

	"vigil/streams/segstore"
)

// Reasons a part of the requested range is missing from a clip.
const (
	ReasonNotRecorded = "not_recorded" // camera offline, recorder paused
	ReasonDamaged     = "damaged"      // the recording there cannot be read
	ReasonTampered    = "tampered"     // its fragments no longer match their recorded hashes
)

// FragmentCounts say how the recorded fragments an export read were
// checked against their chain.
type FragmentCounts struct {
	Verified int // hash and chain match
	Tampered int // left out: hash or chain do not match
	Unhashed int // recorded before fragment hashing (or the line was lost in a crash)
	Damaged  int // unreadable spots skipped
}

// fragWalker reads the fragments of one segment for export and leaves
// out what cannot be trusted: past damage it resyncs to the next intact
// fragment, and a fragment whose hash does not match its chain is
// skipped. skipped says why fragments were left out since the caller
// last cleared it.
type fragWalker struct {
	f       *os.File
	sr      *segstore.Reader
	chain   *segstore.Chain // nil: no sidecar
	skipped string
	counts  *FragmentCounts // nil: not counted (the second pass)
}

// openWalker opens segment s. Its error means nothing of s is readable.
func openWalker(s segstore.Segment, counts *FragmentCounts) (*fragWalker, error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, fmt.Errorf("clip: open segment: %w", err)
	}
	sr, err := segstore.NewReader(f, s.Size)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("clip: %s: %w", s.Path, err)
	}
	chain, err := segstore.ReadChain(s.Path)
	if errors.Is(err, segstore.ErrNoChain) {
		chain = nil
	}
	return &fragWalker{f: f, sr: sr, chain: chain, counts: counts}, nil
}

func (w *fragWalker) close() { w.f.Close() }

// next reads the next fragment that may be exported into fr; io.EOF at
// the end of what is readable.
func (w *fragWalker) next(fr *segstore.Fragment) error {
	for {
		err := w.sr.Next(fr)
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			w.skip(ReasonDamaged, &w.count().Damaged)
			if errors.Is(err, segstore.ErrIO) || !w.sr.Resync() {
				return io.EOF
			}
			continue
		}
		verdict, err := segstore.CheckFragment(w.f, fr, w.chain)
		switch {
		case err != nil:
			w.skip(ReasonDamaged, &w.count().Damaged)
			return io.EOF
		case verdict == segstore.FragmentTampered:
			w.skip(ReasonTampered, &w.count().Tampered)
			continue
		case verdict == segstore.FragmentUnhashed:
			w.count().Unhashed++
		default:
			w.count().Verified++
		}
		return nil
	}
}

// skip notes fragments left out; tampering outranks damage as a reason.
func (w *fragWalker) skip(reason string, n *int) {
	*n++
	if w.skipped != ReasonTampered {
		w.skipped = reason
	}
}

// count is where this walker counts: a scratch value when not counting.
func (w *fragWalker) count() *FragmentCounts {
	if w.counts == nil {
		return &FragmentCounts{}
	}
	return w.counts
}
