package clip

import (
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/segstore"
	"vigil/streams/sim/h264enc"
)

const frameDur = 40 * time.Millisecond // 25 fps

// frameSource makes the NAL units of frame i.
type frameSource func(i int, key bool) [][]byte

// h264Frames encodes real pictures, so ffmpeg can decode the clips.
func h264Frames(t testing.TB, w, h int) (frameSource, segstore.Init) {
	enc, err := h264enc.New(h264enc.Options{Width: w, Height: h, FPS: 25})
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	in := segstore.Init{Timescale: segstore.Timescale, Width: w, Height: h, SPS: enc.SPS(), PPS: enc.PPS()}
	return func(i int, key bool) [][]byte {
		for j := range 64 { // a moving bar: every frame differs a little
			img.Y[(i*7+j)%len(img.Y)] ^= 0x80
		}
		nalus, err := enc.Encode(img, key)
		if err != nil {
			t.Fatal(err)
		}
		return nalus
	}, in
}

// fakeFrames makes 2 Mbit/s of undecodable bytes: 40 KB keyframes and
// 9.4 KB P-frames at a 2 s GOP, for benchmarks that never decode.
func fakeFrames() (frameSource, segstore.Init) {
	key := make([]byte, 40_000)
	p := make([]byte, 9_400)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	copy(p, key)
	in := segstore.Init{Timescale: segstore.Timescale, Width: 640, Height: 360,
		SPS: []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x40}, PPS: []byte{0x68, 0xce, 0x3c, 0x80}}
	return func(i int, k bool) [][]byte {
		if k {
			return [][]byte{key}
		}
		return [][]byte{p}
	}, in
}

// writeRecording writes dur of video starting at start into dir as
// segments of segDur, one fragment per GOP, like the recorder does.
func writeRecording(t testing.TB, dir string, start time.Time, dur, segDur time.Duration, gop int, src frameSource, in segstore.Init) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	perSeg := int(segDur / frameDur)
	total := int(dur / frameDur)
	var buf []byte
	for first := 0; first < total; first += perSeg {
		segStart := start.Add(time.Duration(first) * frameDur)
		buf = segstore.AppendInit(buf[:0], in)
		var base uint64
		n := min(perSeg, total-first)
		for g := 0; g < n; g += gop {
			var samples []segstore.OutSample
			for i := g; i < min(g+gop, n); i++ {
				key := i%gop == 0
				samples = append(samples, segstore.OutSample{Duration: 3600, Key: key, NALUs: src(first+i, key)})
			}
			buf = segstore.AppendFragment(buf, uint32(g/gop+1), base, samples)
			base += uint64(len(samples)) * 3600
		}
		if err := os.WriteFile(filepath.Join(dir, segstore.FileName(segStart)), buf, 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func openIndex(t testing.TB, root string) *segstore.Index {
	t.Helper()
	x, err := segstore.Open(segstore.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// needTool finds an external tool. Without it the test is skipped, except
// in CI (CI=true), where a missing tool is a broken runner: the test fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

var t0 = time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
