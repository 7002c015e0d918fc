package segstore

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The fragment chain: the recorder hashes every fragment (its moof and
// mdat, byte for byte) as it writes it, and appends a line to a sidecar
// beside the segment (ChainPath). Each line's link covers the previous
// link, and a segment's first line links to the camera's previous
// segment, so one chain runs through a camera's recordings: an altered
// fragment no longer matches its hash, an altered or removed line breaks
// the links after it. Export checks every fragment it copies.
//
//	vigil-chain 1 <link the segment continues, hex>
//	<seq> <size> <sha256 of the fragment, hex> <link, hex>

// chainMagic starts every sidecar.
const chainMagic = "vigil-chain 1 "

// maxChainLine bounds one line; ours are under 160 bytes.
const maxChainLine = 1024

// maxChain bounds what is read of a sidecar: a line per fragment, some
// 150 bytes, a few hundred fragments per segment.
const maxChain = 4 << 20

// Link is a position in a camera's chain.
type Link [sha256.Size]byte

// ChainHeader is a sidecar's first line, continuing prev.
func ChainHeader(prev Link) []byte {
	return fmt.Appendf(nil, "%s%x\n", chainMagic, prev[:])
}

// ChainLine hashes one fragment as written and returns its sidecar line
// and the chain's new link.
func ChainLine(prev Link, seq uint32, frag []byte) ([]byte, Link) {
	sum := sha256.Sum256(frag)
	link := nextLink(prev, seq, int64(len(frag)), sum)
	return fmt.Appendf(nil, "%d %d %x %x\n", seq, len(frag), sum[:], link[:]), link
}

func nextLink(prev Link, seq uint32, size int64, sum [sha256.Size]byte) Link {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(binary.BigEndian.AppendUint32(nil, seq))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(size)))
	h.Write(sum[:])
	var l Link
	h.Sum(l[:0])
	return l
}

// chainEntry is one fragment's line. Linked is false when the line, or
// one before it, does not fit the chain.
type chainEntry struct {
	size   int64
	sum    [sha256.Size]byte
	linked bool
}

// Chain is a parsed sidecar.
type Chain struct {
	Prev    Link // the link the segment continues
	Last    Link // the link of the last line (Prev when there is none)
	entries map[uint32]chainEntry
	maxSeq  uint32
	broken  bool // a line did not parse or link: no line may be missing
}

// Verdicts of a fragment check.
const (
	FragmentVerified = "verified" // its hash and the chain up to it match
	FragmentTampered = "tampered" // its bytes, its line or a line before changed
	FragmentUnhashed = "unhashed" // no line: recorded before hashing, or its line was lost in a crash
)

// ErrNoChain means a segment has no sidecar (recorded before hashing).
var ErrNoChain = errors.New("segstore: segment has no fragment chain")

// ReadChain reads the sidecar of a segment.
func ReadChain(segment string) (*Chain, error) {
	f, err := os.Open(ChainPath(segment))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoChain
	}
	if err != nil {
		return &Chain{broken: true}, fmt.Errorf("segstore: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxChain))
	if err != nil {
		return &Chain{broken: true}, fmt.Errorf("segstore: %w", err)
	}
	return ParseChain(b)
}

// ParseChain parses a sidecar. A last line without its newline was cut
// by a crash and is ignored; any other line that does not parse or link
// breaks the chain from there on. A sidecar without its header line is
// an error, returned with a chain that finds every fragment tampered.
func ParseChain(b []byte) (*Chain, error) {
	hdr, rest, ok := bytes.Cut(b, []byte("\n"))
	prev, perr := parseHex(strings.TrimPrefix(string(hdr), chainMagic))
	if !ok || !bytes.HasPrefix(hdr, []byte(chainMagic)) || perr != nil {
		// A sidecar that is there but unreadable vouches for nothing.
		return &Chain{broken: true}, errors.New("segstore: not a fragment chain")
	}
	c := &Chain{Prev: prev, Last: prev, entries: map[uint32]chainEntry{}}
	rest = rest[:bytes.LastIndexByte(rest, '\n')+1] // a torn last line is dropped
	sc := bufio.NewScanner(bytes.NewReader(rest))
	sc.Buffer(nil, maxChainLine)
	linked := true
	for sc.Scan() {
		seq, e, link, err := parseLine(sc.Text())
		if err != nil {
			linked = false
			continue
		}
		linked = linked && link == nextLink(c.Last, seq, e.size, e.sum)
		if _, dup := c.entries[seq]; dup {
			linked = false
		}
		e.linked = linked
		c.entries[seq], c.Last, c.maxSeq = e, link, max(c.maxSeq, seq)
	}
	c.broken = !linked || sc.Err() != nil // a line too long to read hides the lines after it
	return c, nil
}

func parseLine(l string) (uint32, chainEntry, Link, error) {
	var e chainEntry
	f := strings.Fields(l)
	if len(f) != 4 {
		return 0, e, Link{}, errors.New("segstore: chain line has not 4 fields")
	}
	seq, err1 := strconv.ParseUint(f[0], 10, 32)
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	sum, err3 := parseHex(f[2])
	link, err4 := parseHex(f[3])
	if err := errors.Join(err1, err2, err3, err4); err != nil || size < 0 {
		return 0, e, Link{}, fmt.Errorf("segstore: bad chain line: %v", err)
	}
	e.size, e.sum = size, sum
	return uint32(seq), e, link, nil
}

func parseHex(s string) (Link, error) {
	var l Link
	if len(s) != 2*len(l) || strings.ToLower(s) != s {
		return l, errors.New("segstore: not a 64-digit lowercase hash")
	}
	_, err := hex.Decode(l[:], []byte(s))
	return l, err
}

// Check says whether a fragment (seq and its bytes' hash) is the one
// recorded. A nil chain (no sidecar) leaves every fragment unhashed.
func (c *Chain) Check(seq uint32, size int64, sum [sha256.Size]byte) string {
	if c == nil {
		return FragmentUnhashed
	}
	e, ok := c.entries[seq]
	switch {
	case !ok && seq > c.maxSeq && !c.broken:
		return FragmentUnhashed // after the last line: a crash lost it
	case !ok, !e.linked, e.size != size, e.sum != sum:
		return FragmentTampered
	}
	return FragmentVerified
}

// LastLink returns the link the newest sidecar in dir ends with, so a
// recorder that starts again continues its camera's chain; the zero Link
// when there is none.
func LastLink(dir string) Link {
	entries, _ := os.ReadDir(dir)
	for i := len(entries) - 1; i >= 0; i-- {
		name := entries[i].Name()
		if !strings.HasSuffix(name, ChainExt) {
			continue
		}
		if c, err := ReadChain(strings.TrimSuffix(dir+string(os.PathSeparator)+name, ChainExt) + Ext); err == nil {
			return c.Last
		}
	}
	return Link{}
}

// CheckFragment hashes fragment f of the segment read through r, byte
// for byte as the recorder wrote it, and checks it against c.
func CheckFragment(r io.ReaderAt, f *Fragment, c *Chain) (string, error) {
	if c == nil {
		return FragmentUnhashed, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, f.Start, f.End-f.Start)); err != nil {
		return "", readErr(err)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return c.Check(f.Seq, f.End-f.Start, sum), nil
}
