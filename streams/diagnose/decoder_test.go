package diagnose

import (
	"context"
	"image"
	"os"
	"os/exec"
	"testing"
	"time"

	"vigil/streams/internal/ffmpegtest"
	"vigil/streams/media"
	"vigil/streams/sim"
	"vigil/streams/sim/h264enc"
)

func needFFmpeg(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is required in CI")
		}
		t.Skip("ffmpeg not installed")
	}
}

// keyframe codes img as an H.264 IDR led by its parameter sets, as a hub
// caches it.
func keyframe(t testing.TB, img *image.YCbCr) *media.AccessUnit {
	t.Helper()
	b := img.Rect.Size()
	enc, err := h264enc.New(h264enc.Options{Width: b.X, Height: b.Y, FPS: 25})
	if err != nil {
		t.Fatal(err)
	}
	nalus, err := enc.Encode(img, true)
	if err != nil {
		t.Fatal(err)
	}
	return &media.AccessUnit{NALUs: append([][]byte{enc.SPS(), enc.PPS()}, nalus...), Key: true}
}

// cameraPicture draws a simulated camera's picture at frame n.
func cameraPicture(t testing.TB, w, h int, at time.Time, n int64) *image.YCbCr {
	t.Helper()
	p, err := sim.NewPicture(sim.PictureOptions{Width: w, Height: h, Index: 3, Title: "bjx-nsq-01"})
	if err != nil {
		t.Fatal(err)
	}
	img := p.Draw(at, n)
	out := image.NewYCbCr(img.Rect, img.SubsampleRatio)
	copy(out.Y, img.Y)
	copy(out.Cb, img.Cb)
	copy(out.Cr, img.Cr)
	return out
}

func blackPicture(w, h int) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = 16
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	return img
}

func newTestDecoder(t *testing.T) *Decoder {
	t.Helper()
	needFFmpeg(t)
	d, err := NewDecoder(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDecodeTellsLiveFrozenAndBlack decodes one batch with keyframes of
// several sizes, as the cameras of a station share it.
func TestDecodeTellsLiveFrozenAndBlack(t *testing.T) {
	d := newTestDecoder(t)
	at := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	keys := []*media.AccessUnit{
		keyframe(t, cameraPicture(t, 640, 360, at, 0)),
		keyframe(t, cameraPicture(t, 320, 180, at, 0)), // another camera in between
		keyframe(t, cameraPicture(t, 640, 360, at, 0)),
		keyframe(t, cameraPicture(t, 640, 360, at.Add(10*time.Second), 250)),
		keyframe(t, blackPicture(352, 288)),
	}
	pics, errs := d.Decode(context.Background(), media.CodecH264, keys)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("keyframe %d: %v", i, err)
		}
		if p := pics[i]; p.W != DefaultWidth || len(p.Luma) != DefaultWidth*DefaultHeight {
			t.Fatalf("picture %d: %dx%d, %d bytes", i, p.W, p.H, len(p.Luma))
		}
	}
	first, other, same, later, black := pics[0], pics[1], pics[2], pics[3], pics[4]
	if diff := Difference(first, same); diff > 1 {
		t.Errorf("the same picture differs by %d levels", diff)
	}
	if diff := Difference(first, later); diff < 8 {
		t.Errorf("pictures 10 s apart differ by only %d levels", diff)
	}
	if Difference(first, other) == 0 {
		t.Error("two cameras' pictures are equal")
	}
	if s := first.Spread(); s < 10 {
		t.Errorf("camera picture spread %.1f, want a visible picture", s)
	}
	if s, m := black.Spread(), black.Mean(); s > 1 || m > 20 {
		t.Errorf("black picture: spread %.1f, mean %.1f", s, m)
	}
}

func TestDecodeH265(t *testing.T) {
	d := newTestDecoder(t)
	units, _ := ffmpegtest.H265(t, 320, 240, 2)
	var keys []*media.AccessUnit
	for _, au := range units {
		if au.Key {
			keys = append(keys, au)
		}
	}
	pics, errs := d.Decode(context.Background(), media.CodecH265, keys)
	if len(keys) < 2 || errs[0] != nil || errs[1] != nil {
		t.Fatalf("%d keyframes: %v", len(keys), errs)
	}
	if Difference(pics[0], pics[1]) == 0 || pics[0].Spread() < 10 {
		t.Fatal("the test pattern did not move, or is flat")
	}
}

// TestDecodeIsolatesGarbage: a keyframe ffmpeg cannot decode costs that
// camera its picture only, and the others keep theirs, in order.
func TestDecodeIsolatesGarbage(t *testing.T) {
	d := newTestDecoder(t)
	at := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
	junk := &media.AccessUnit{NALUs: [][]byte{{0x65, 0xff, 0x00, 0x12}}, Key: true}
	keys := []*media.AccessUnit{
		keyframe(t, blackPicture(64, 64)), junk, {Key: false},
		keyframe(t, cameraPicture(t, 320, 180, at, 0)),
	}
	pics, errs := d.Decode(context.Background(), media.CodecH264, keys)
	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("good keyframes failed: %v", errs)
	}
	if errs[1] == nil || errs[2] == nil {
		t.Fatalf("garbage or a non-keyframe decoded: %v", errs)
	}
	if pics[0].Spread() > 1 || pics[3].Spread() < 10 {
		t.Fatal("pictures out of order after the garbage")
	}
	if _, errs := d.Decode(context.Background(), "mjpeg", keys[:1]); errs[0] == nil {
		t.Fatal("an unsupported codec decoded")
	}
}
