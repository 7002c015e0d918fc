package segstore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestReaderRoundTrip(t *testing.T) {
	t.Parallel()
	b := segmentBytes(3, 25, 100)
	sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if sr.Init.Width != 640 || sr.Init.Height != 360 || sr.Init.Timescale != Timescale ||
		!bytes.Equal(sr.Init.SPS, testInit.SPS) || !bytes.Equal(sr.Init.PPS, testInit.PPS) {
		t.Fatalf("init = %+v", sr.Init)
	}
	var f Fragment
	for i := range 3 {
		if err := sr.Next(&f); err != nil {
			t.Fatalf("fragment %d: %v", i, err)
		}
		if f.Seq != uint32(i+1) || f.BaseTime != uint64(i*25*3600) || len(f.Samples) != 25 {
			t.Fatalf("fragment %d = seq %d base %d samples %d", i, f.Seq, f.BaseTime, len(f.Samples))
		}
		s := f.Samples[0]
		if !s.Key || f.Samples[1].Key || s.Size != 104 || s.Duration != 3600 {
			t.Fatalf("sample = %+v", s)
		}
		// The payload is the length-prefixed NAL unit.
		if got := b[s.Offset : s.Offset+4]; !bytes.Equal(got, []byte{0, 0, 0, 100}) {
			t.Fatalf("payload starts %x", got)
		}
	}
	if err := sr.Next(&f); err != io.EOF {
		t.Fatalf("after last fragment: %v, want EOF", err)
	}
	if sr.Pos() != int64(len(b)) {
		t.Fatalf("Pos = %d, want %d", sr.Pos(), len(b))
	}
}

func TestReaderTornTail(t *testing.T) {
	t.Parallel()
	b := segmentBytes(3, 25, 100)
	for _, cut := range []int{1, 50, 2600, 2*len(b)/3 + 7} {
		short := b[:len(b)-cut]
		sr, err := NewReader(bytes.NewReader(short), int64(len(short)))
		if err != nil {
			t.Fatal(err)
		}
		var f Fragment
		n := 0
		for {
			err = sr.Next(&f)
			if err != nil {
				break
			}
			n++
		}
		if !errors.Is(err, ErrTorn) {
			t.Fatalf("cut %d: ended with %v, want ErrTorn", cut, err)
		}
		if n >= 3 || sr.Pos() > int64(len(short)) {
			t.Fatalf("cut %d: %d fragments, pos %d of %d", cut, n, sr.Pos(), len(short))
		}
	}
}

// FuzzReader feeds arbitrary bytes to the segment parser: it must never
// panic, never report a sample outside the data, and never run past limit.
func FuzzReader(f *testing.F) {
	f.Add(segmentBytes(2, 3, 10))
	f.Add(segmentBytes(1, 1, 0)[:120])
	f.Add(avSegment(audioInits["aac"]))
	f.Add([]byte{0, 0, 0, 1, 'm', 'o', 'o', 'v', 0, 0, 0, 0, 0, 0, 0, 16})
	for _, name := range []string{"handwritten-baseline.mp4", "handwritten-high.mp4"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		var fr Fragment
		for range 1000 {
			if sr.Next(&fr) != nil {
				break
			}
			for _, s := range append(fr.Samples, fr.Audio...) {
				if s.Offset < 0 || s.Offset+int64(s.Size) > int64(len(b)) {
					t.Fatalf("sample %+v outside %d bytes", s, len(b))
				}
			}
			if sr.Pos() > int64(len(b)) {
				t.Fatalf("pos %d past %d", sr.Pos(), len(b))
			}
		}
	})
}

// TestReaderReadsHandwrittenSegments reads segments as vigil wrote them
// before it used mediacommon's muxer (its own ftyp, avcC without the
// high-profile extension, per-sample flags): existing recordings stay
// readable.
func TestReaderReadsHandwrittenSegments(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file          string
		width, height int
		profile       byte
	}{
		{"handwritten-baseline.mp4", 640, 360, 66},
		{"handwritten-high.mp4", 320, 180, 100},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		sr, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		in := sr.Init
		if in.Width != c.width || in.Height != c.height || in.Timescale != Timescale ||
			in.SPS[1] != c.profile || len(in.PPS) == 0 {
			t.Fatalf("%s: init = %+v", c.file, in)
		}
		var f Fragment
		for i := range 2 {
			if err := sr.Next(&f); err != nil {
				t.Fatalf("%s: fragment %d: %v", c.file, i, err)
			}
			if f.BaseTime != uint64(i*3*3600) || len(f.Samples) != 3 || !f.Samples[0].Key || f.Samples[1].Key ||
				f.Samples[0].Size != 4+3+4+7 {
				t.Fatalf("%s: fragment %d = %+v", c.file, i, f)
			}
		}
		if err := sr.Next(&f); err != io.EOF {
			t.Fatalf("%s: after the last fragment: %v", c.file, err)
		}
	}
}
