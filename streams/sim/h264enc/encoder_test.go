package h264enc

import (
	"bytes"
	"image"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

func TestSPS(t *testing.T) {
	for _, c := range []struct{ w, h, codedH, fps int }{
		{640, 360, 368, 25}, {320, 180, 192, 25}, {1920, 1080, 1088, 30}, {16, 16, 16, 0}, {34, 18, 32, 10},
	} {
		e, err := New(Options{Width: c.w, Height: c.h, FPS: c.fps})
		if err != nil {
			t.Fatal(err)
		}
		var sps h264.SPS
		if err := sps.Unmarshal(e.SPS()); err != nil {
			t.Fatalf("%dx%d: %v", c.w, c.h, err)
		}
		if sps.Width() != c.w || sps.Height() != c.h {
			t.Errorf("%dx%d: SPS says %dx%d", c.w, c.h, sps.Width(), sps.Height())
		}
		if got := int(sps.PicHeightInMapUnitsMinus1+1) * 16; got != c.codedH {
			t.Errorf("%dx%d: coded height %d, want %d", c.w, c.h, got, c.codedH)
		}
		if sps.ProfileIdc != 66 || !sps.ConstraintSet1Flag || sps.PicOrderCntType != 2 {
			t.Errorf("%dx%d: profile %d cs1 %v poc %d", c.w, c.h, sps.ProfileIdc, sps.ConstraintSet1Flag, sps.PicOrderCntType)
		}
		if c.fps != 0 && sps.FPS() != float64(c.fps) {
			t.Errorf("%dx%d: fps %v, want %d", c.w, c.h, sps.FPS(), c.fps)
		}
		if r := sps.VUI.BitstreamRestriction; r == nil || r.MaxNumReorderFrames != 0 {
			t.Errorf("%dx%d: want max_num_reorder_frames 0", c.w, c.h)
		}
		if pps := e.PPS(); pps[0]&0x1f != 8 {
			t.Errorf("PPS NAL type %d", pps[0]&0x1f)
		}
	}
}

func TestNewRejects(t *testing.T) {
	for _, o := range []Options{{Width: 15, Height: 16}, {Width: 641, Height: 360}, {Width: 8192, Height: 16}, {Width: 16, Height: 16, FPS: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	e, _ := New(Options{Width: 32, Height: 32})
	if _, err := e.Encode(image.NewYCbCr(image.Rect(0, 0, 32, 16), image.YCbCrSubsampleRatio420), true); err == nil {
		t.Error("wrong size accepted")
	}
}

// TestAccessUnits checks NAL types, SPS/PPS before each IDR, and that
// unchanged macroblocks cost (almost) nothing.
func TestAccessUnits(t *testing.T) {
	e, _ := New(Options{Width: 640, Height: 360})
	img := testImage(640, 360)
	au, _ := e.Encode(img, false) // first picture is IDR anyway
	if len(au) != 3 || nalType(au[0]) != 7 || nalType(au[1]) != 8 || nalType(au[2]) != 5 {
		t.Fatalf("first AU types %v", nalTypes(au))
	}
	if len(au[2]) < 920*384 {
		t.Errorf("IDR of %d bytes is smaller than its PCM samples", len(au[2]))
	}
	au, _ = e.Encode(img, false)
	if len(au) != 1 || nalType(au[0]) != 1 || len(au[0]) > 16 {
		t.Fatalf("unchanged P picture: types %v, %d bytes", nalTypes(au), len(au[0]))
	}
	img.Y[100*img.YStride+100] ^= 0xff // one macroblock changes
	au, _ = e.Encode(img, false)
	if n := len(au[0]); n < 384 || n > 420 {
		t.Errorf("one changed macroblock: %d bytes", n)
	}
	au, _ = e.Encode(img, true)
	if nalTypes(au) != "7,8,5" {
		t.Errorf("forced IDR types %v", nalTypes(au))
	}
}

func nalType(n []byte) byte { return n[0] & 0x1f }

func nalTypes(au [][]byte) string {
	var b []byte
	for i, n := range au {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '0'+nalType(n)%10)
	}
	return string(b)
}

func testImage(w, h int) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = byte(16 + i%200)
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = byte(64+i%128), byte(200-i%100)
	}
	return img
}

// needFFmpeg returns the ffmpeg path, skipping the test when it is missing
// unless CI=true, where its absence is a failure.
func needFFmpeg(t *testing.T) string {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is required in CI")
		}
		t.Skip("ffmpeg not installed")
	}
	return p
}

// TestFFmpegLossless decodes a stream with ffmpeg and requires every
// decoded picture to equal its input exactly: I_PCM is lossless and P_Skip
// copies, so any difference is a bitstream bug. Random macroblock changes,
// a size with cropping on both axes, IDRs mid-stream and frame_num wraps
// (log2_max_frame_num lowered to 4) are covered.
func TestFFmpegLossless(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	const w, h, frames = 100, 58, 120
	e, err := New(Options{Width: w, Height: h, FPS: 25})
	if err != nil {
		t.Fatal(err)
	}
	e.log2FrameNum = 4
	e.spsNALU = e.sps()
	img := testImage(w, h)
	r := rand.New(rand.NewPCG(1, 2))
	var stream, want bytes.Buffer
	for f := range frames {
		for range r.IntN(4) { // scribble on a few random spots, zeros included
			x, y := r.IntN(w-4), r.IntN(h-4)
			for i := range 4 {
				img.Y[(y+i)*img.YStride+x+i] = byte(r.IntN(256))
			}
			img.Cb[y/2*img.CStride+x/2] = byte(r.IntN(256))
		}
		au, err := e.Encode(img, f%40 == 0 && f > 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range au {
			stream.Write([]byte{0, 0, 0, 1})
			stream.Write(n)
		}
		want.Write(img.Y)
		want.Write(img.Cb)
		want.Write(img.Cr)
	}
	cmd := exec.Command(ffmpeg, "-v", "error", "-f", "h264", "-i", "pipe:0",
		"-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1")
	cmd.Stdin = &stream
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffmpeg: %v: %s", err, stderr.String())
	}
	if len(got) != want.Len() {
		t.Fatalf("decoded %d bytes, want %d (%d frames)", len(got), want.Len(), frames)
	}
	fs := w*h + w*h/2
	for f := range frames {
		if !bytes.Equal(got[f*fs:(f+1)*fs], want.Bytes()[f*fs:(f+1)*fs]) {
			t.Fatalf("frame %d differs from its input", f)
		}
	}
}
