package nalu

import (
	"errors"
	"testing"
	"time"
)

// fakeExtractor returns decoding times from a script: a lag behind the
// PTS, or an error.
type fakeExtractor struct {
	lag  []int64
	fail []bool
	i    int
}

func (f *fakeExtractor) Extract(_ [][]byte, pts int64) (int64, error) {
	i := f.i
	f.i++
	if i < len(f.fail) && f.fail[i] {
		return 0, errors.New("unparsable")
	}
	if i < len(f.lag) {
		return pts - f.lag[i], nil
	}
	return pts, nil
}

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func TestStamperMarksReorderingAndRecovers(t *testing.T) {
	t.Parallel()
	ext := &fakeExtractor{lag: []int64{0, 3600, 3600}, fail: []bool{false, false, false, true}}
	s := Stamper{NewExtractor: func() DTSExtractor { return ext }}
	var c Counters
	var last time.Duration = -1
	for i := range int64(6) {
		pts, dts, newly := s.Stamp(nil, i*3600, i == 0 || i == 5, t0.Add(time.Duration(i)*40*time.Millisecond), &c)
		if dts <= last || pts < dts {
			t.Fatalf("unit %d: pts %v dts %v after %v", i, pts, dts, last)
		}
		last = dts
		if newly != (i == 1) {
			t.Fatalf("unit %d: newly reordered = %v", i, newly)
		}
	}
	if !s.Reordered() || c.BadDTS != 1 {
		t.Fatalf("reordered %v, BadDTS %d; want true, 1", s.Reordered(), c.BadDTS)
	}
	s.Renew()
	if s.Reordered() {
		t.Fatal("Renew kept the reordered mark")
	}
}

func TestCheckSize(t *testing.T) {
	t.Parallel()
	var c Counters
	for _, tc := range []struct {
		n    []byte
		want bool
	}{{nil, false}, {[]byte{0x80, 1}, false}, {make([]byte, 9), false}, {[]byte{0x65, 1}, true}} {
		if got := c.CheckSize(tc.n, 8); got != tc.want {
			t.Fatalf("CheckSize(%x) = %v", tc.n, got)
		}
	}
	if c.Broken != 2 || c.Oversize != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestCheckPictureSize(t *testing.T) {
	t.Parallel()
	var c Counters
	for _, tc := range []struct {
		w, h int
		want bool
	}{{1920, 1080, true}, {16384, 16384, true}, {16385, 16, false}, {16, 65535, false},
		{0, 1080, false}, {1920, -16, false}, {4294967280, 4294967280, false}} {
		if got := c.CheckPictureSize(tc.w, tc.h); got != tc.want {
			t.Errorf("CheckPictureSize(%d, %d) = %v, want %v", tc.w, tc.h, got, tc.want)
		}
	}
	if c.Broken != 5 {
		t.Fatalf("Broken = %d, want 5", c.Broken)
	}
}
