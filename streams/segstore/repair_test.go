package segstore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// corruptAt overwrites 4 bytes of a file at off.
func corruptAt(t *testing.T, path string, off int64) []byte {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef}, off); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Four bytes overwritten anywhere in the first fragment's header (its
// size, its type, inside its tables): the original is quarantined byte
// for byte, the later fragments are indexed, and nothing is deleted.
func TestOpenQuarantinesDamagedSegment(t *testing.T) {
	t.Parallel()
	for name, into := range map[string]int64{"moof size": 0, "moof type": 4, "mfhd size": 8, "traf size": 24} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			path := writeSegment(t, root, "cam", t0, 4, 25, 100)
			before, err := ScanFile(path)
			if err != nil || !before.Intact() {
				t.Fatalf("%+v %v", before, err)
			}
			damaged := corruptAt(t, path, before.HeaderEnd+into)

			x, err := Open(Options{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			q := filepath.Join(root, "cam", QuarantineDir, filepath.Base(path))
			if b, err := os.ReadFile(q); err != nil || !bytes.Equal(b, damaged) {
				t.Fatalf("quarantined original: %d bytes, %v; want the damaged file byte for byte", len(b), err)
			}
			segs := x.Segments("cam", t0, t0.Add(time.Hour))
			if len(segs) != 1 || !segs[0].End.Equal(before.End) || !segs[0].Start.Add(time.Second).Before(segs[0].End) {
				t.Fatalf("segments %+v, want the salvaged fragments up to %v", segs, before.End)
			}
			after, err := ScanFile(path)
			if err != nil || !after.Intact() || after.Fragments != 3 {
				t.Fatalf("rebuilt segment: %+v, %v; want 3 intact fragments", after, err)
			}
			d := x.Damaged()["cam"]
			if len(d) != 1 || d[0].Quarantined != q || d[0].Salvaged != 3 || d[0].Bytes != int64(len(damaged)) {
				t.Fatalf("damage %+v", d)
			}
			// A restart finds the segment intact and still counts the damage.
			y, err := Open(Options{Root: root})
			if err != nil || len(y.Damaged()["cam"]) != 1 || len(y.Segments("cam", t0, t0.Add(time.Hour))) != 1 {
				t.Fatalf("after restart: %v, %+v", err, y.Damaged())
			}
		})
	}
}

// Damage with nothing intact after it (the last fragment's header
// overwritten) still keeps the original: only a torn tail is cut.
func TestOpenQuarantinesDamagedLastFragment(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	path := writeSegment(t, root, "cam", t0, 2, 25, 100)
	in, _ := ScanFile(path)
	damaged := corruptAt(t, path, in.Good[1].From+4)
	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(root, "cam", QuarantineDir, filepath.Base(path))
	if b, err := os.ReadFile(q); err != nil || !bytes.Equal(b, damaged) {
		t.Fatalf("quarantined original: %v", err)
	}
	if segs := x.Segments("cam", t0, t0.Add(time.Hour)); len(segs) != 1 || !segs[0].End.Equal(t0.Add(time.Second)) {
		t.Fatalf("segments %+v, want the first fragment", segs)
	}
}

func TestSalvageFindsEveryFragmentAfterDamage(t *testing.T) {
	t.Parallel()
	b := segmentBytes(6, 5, 50)
	in, err := scan(bytes.NewReader(b), t0, int64(len(b)))
	if err != nil || !in.Intact() {
		t.Fatal(in, err)
	}
	// Wipe fragments 2 and 4 entirely: 1, 3, 5 and 6 remain.
	for _, i := range []int{1, 3} {
		clear(b[in.Good[i].From:in.Good[i].To])
	}
	got, err := scan(bytes.NewReader(b), t0, int64(len(b)))
	if err != nil || !got.Damaged || got.Fragments != 4 || got.Salvaged != 3 {
		t.Fatalf("%+v %v, want 4 fragments, 3 after the damage", got, err)
	}
	for i, want := range []int{0, 2, 4, 5} {
		if got.Good[i] != in.Good[want] {
			t.Fatalf("fragment %d at %+v, want %+v", i, got.Good[i], in.Good[want])
		}
	}
}

// FuzzSalvage walks damaged segments the way repair and export do: Next,
// and Resync after every error. It must end, move forward only, and
// return only fragments whose samples lie inside the data.
func FuzzSalvage(f *testing.F) {
	seg := segmentBytes(3, 3, 20)
	f.Add(seg)
	for _, off := range []int{700, 710, 800, 900} {
		if off < len(seg) {
			b := bytes.Clone(seg)
			copy(b[off:], []byte{0xde, 0xad, 0xbe, 0xef})
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		var fr Fragment
		last := sr.Pos()
		for range 10000 {
			err := sr.Next(&fr)
			if err != nil && (errors.Is(err, io.EOF) || !sr.Resync()) {
				return
			}
			if err == nil {
				for _, s := range fr.Samples {
					if s.Offset < 0 || s.Offset+int64(s.Size) > int64(len(b)) {
						t.Fatalf("sample %+v outside %d bytes", s, len(b))
					}
				}
			}
			if sr.Pos() <= last && err == nil || sr.Pos() > int64(len(b)) {
				t.Fatalf("position %d after %d (of %d)", sr.Pos(), last, len(b))
			}
			last = sr.Pos()
		}
		t.Fatal("the walk did not end")
	})
}

// A rebuilt segment damaged again is quarantined beside the first
// original, which stays as it was.
func TestQuarantineKeepsEveryOriginal(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	path := writeSegment(t, root, "cam", t0, 4, 25, 100)
	in, _ := ScanFile(path)
	first := corruptAt(t, path, in.Good[0].From)
	if _, err := Open(Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	in, _ = ScanFile(path)
	second := corruptAt(t, path, in.Good[0].From)
	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	q := filepath.Join(root, "cam", QuarantineDir)
	for name, want := range map[string][]byte{filepath.Base(path): first, "20261129T140000.123Z-2.mp4": second} {
		if b, err := os.ReadFile(filepath.Join(q, name)); err != nil || !bytes.Equal(b, want) {
			t.Errorf("%s: %v", name, err)
		}
	}
	d := x.Damaged()["cam"]
	if len(d) != 2 || !d[0].Start.Equal(t0) || !d[1].Start.Equal(t0) {
		t.Fatalf("damage %+v", d)
	}
}
