package segstore

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// chainOf builds a sidecar for frags, continuing prev.
func chainOf(prev Link, frags [][]byte) ([]byte, Link) {
	b := ChainHeader(prev)
	for i, f := range frags {
		var line []byte
		line, prev = ChainLine(prev, uint32(i+1), f)
		b = append(b, line...)
	}
	return b, prev
}

func check(c *Chain, seq uint32, frag []byte) string {
	return c.Check(seq, int64(len(frag)), sha256.Sum256(frag))
}

func TestChainVerifiesFragments(t *testing.T) {
	t.Parallel()
	frags := [][]byte{[]byte("one"), []byte("two"), []byte("three")}
	prev := Link{1, 2, 3}
	b, last := chainOf(prev, frags)
	c, err := ParseChain(b)
	if err != nil || c.Prev != prev || c.Last != last {
		t.Fatalf("%+v %v", c, err)
	}
	for i, f := range frags {
		if v := check(c, uint32(i+1), f); v != FragmentVerified {
			t.Errorf("fragment %d: %s", i+1, v)
		}
	}
	if v := check(c, 2, []byte("twO")); v != FragmentTampered {
		t.Errorf("altered fragment: %s", v)
	}
	if v := check(c, 4, []byte("four")); v != FragmentUnhashed {
		t.Errorf("fragment after the last line: %s", v)
	}
	var none *Chain
	if v := check(none, 1, frags[0]); v != FragmentUnhashed {
		t.Errorf("no sidecar: %s", v)
	}
	// A torn last line (crash mid-append) only leaves its fragment unhashed.
	torn, err := ParseChain(b[:len(b)-10])
	if err != nil || check(torn, 3, frags[2]) != FragmentUnhashed || check(torn, 2, frags[1]) != FragmentVerified {
		t.Fatalf("torn sidecar: %v", err)
	}
}

// A line rewritten with a recomputed hash breaks the links after it; a
// removed line in the middle leaves its fragment tampered.
func TestChainCatchesRewrittenAndRemovedLines(t *testing.T) {
	t.Parallel()
	frags := [][]byte{[]byte("one"), []byte("two"), []byte("three")}
	b, _ := chainOf(Link{}, frags)
	lines := bytes.SplitAfter(b, []byte("\n"))
	forged, _ := ChainLine(Link{9}, 2, []byte("evil"))
	rewritten := bytes.Join([][]byte{lines[0], lines[1], forged, lines[3]}, nil)
	c, err := ParseChain(rewritten)
	if err != nil {
		t.Fatal(err)
	}
	if v := check(c, 2, []byte("evil")); v != FragmentTampered {
		t.Errorf("forged line: %s", v)
	}
	if v := check(c, 3, frags[2]); v != FragmentTampered {
		t.Errorf("line after a forged one: %s", v)
	}
	if v := check(c, 1, frags[0]); v != FragmentVerified {
		t.Errorf("line before a forged one: %s", v)
	}
	removed, _ := ParseChain(bytes.Join([][]byte{lines[0], lines[1], lines[3]}, nil))
	if v := check(removed, 2, frags[1]); v != FragmentTampered {
		t.Errorf("fragment whose line was removed: %s", v)
	}
}

func TestLastLinkContinuesNewestSidecar(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if l := LastLink(dir); l != (Link{}) {
		t.Fatalf("empty dir: %x", l)
	}
	old, _ := chainOf(Link{}, [][]byte{[]byte("a")})
	newer, last := chainOf(Link{7}, [][]byte{[]byte("b"), []byte("c")})
	os.WriteFile(filepath.Join(dir, "20261129T140000.000Z"+ChainExt), old, 0o640)
	os.WriteFile(filepath.Join(dir, "20261129T140100.000Z"+ChainExt), newer, 0o640)
	if l := LastLink(dir); l != last {
		t.Fatalf("LastLink = %x, want %x", l, last)
	}
}

func FuzzParseChain(f *testing.F) {
	b, _ := chainOf(Link{5}, [][]byte{[]byte("one"), []byte("two")})
	f.Add(b)
	f.Add(b[:len(b)-7])
	f.Add([]byte(chainMagic + "00\n1 2 3 4\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseChain(b)
		if err != nil {
			return
		}
		for seq := range uint32(4) {
			switch v := c.Check(seq, 3, sha256.Sum256([]byte("one"))); v {
			case FragmentVerified, FragmentTampered, FragmentUnhashed:
			default:
				t.Fatal(fmt.Sprint("verdict ", v))
			}
		}
	})
}
