package segstore

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

var testInit = Init{Timescale: Timescale, Width: 640, Height: 360,
	SPS: []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x40}, PPS: []byte{0x68, 0xce, 0x3c, 0x80}}

// segmentBytes builds a segment of frags fragments of n 40 ms frames, the
// first frame of each fragment a keyframe.
func segmentBytes(frags, n, payload int) []byte {
	b := AppendInit(nil, testInit)
	nalu := make([]byte, payload)
	var base uint64
	for f := range frags {
		samples := make([]OutSample, n)
		for i := range samples {
			samples[i] = OutSample{Duration: 3600, Key: i == 0, NALUs: [][]byte{nalu}}
		}
		b = AppendFragment(b, uint32(f+1), base, samples)
		base += uint64(n) * 3600
	}
	return b
}

// writeSegment writes a segment file for camera under root and returns
// its path; it lasts frags*n*40 ms.
func writeSegment(t testing.TB, root, camera string, start time.Time, frags, n, payload int) string {
	t.Helper()
	dir := filepath.Join(root, camera)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName(start))
	if err := os.WriteFile(path, segmentBytes(frags, n, payload), 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

var t0 = time.Date(2026, 11, 29, 14, 0, 0, 123e6, time.UTC)
