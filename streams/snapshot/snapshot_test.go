package snapshot

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/media"
	"vigil/streams/sim/h264enc"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: ", err)
	}
}

// flat is a w×h picture of one luma value.
func flat(w, h int, y uint8) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = y
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	return img
}

// units encodes one picture per luma value, the first a keyframe led by
// SPS and PPS, as the hub caches a GOP.
func units(t *testing.T, lumas ...uint8) []*media.AccessUnit {
	t.Helper()
	enc, err := h264enc.New(h264enc.Options{Width: 160, Height: 96, FPS: 25})
	if err != nil {
		t.Fatal(err)
	}
	var out []*media.AccessUnit
	for i, y := range lumas {
		nalus, err := enc.Encode(flat(160, 96, y), i == 0)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			nalus = append([][]byte{enc.SPS(), enc.PPS()}, nalus...)
		}
		out = append(out, &media.AccessUnit{PTS: time.Duration(i) * 40 * time.Millisecond, NALUs: nalus, Key: i == 0})
	}
	return out
}

// luma decodes a JPEG and returns its size and the luma at its centre.
func luma(t *testing.T, b []byte) (image.Point, uint8) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	size := img.Bounds().Size()
	ycc, ok := img.(*image.YCbCr)
	if !ok {
		t.Fatalf("JPEG decodes to %T", img)
	}
	return size, ycc.Y[ycc.YOffset(size.X/2, size.Y/2)]
}

func TestFromUnitsTakesThePictureOnScreen(t *testing.T) {
	needFFmpeg(t)
	tk := New(Options{})
	gop := units(t, 30, 60, 90, 120, 220)
	b, err := tk.FromUnits(context.Background(), media.CodecH264, gop)
	if err != nil {
		t.Fatal(err)
	}
	if size, y := luma(t, b); size != image.Pt(160, 96) || y < 200 {
		t.Fatalf("still %v with luma %d, want 160x96 and the last picture (220)", size, y)
	}
	b, err = tk.FromUnits(context.Background(), media.CodecH264, gop[:1])
	if err != nil {
		t.Fatal(err)
	}
	if _, y := luma(t, b); y > 50 {
		t.Fatalf("keyframe's still has luma %d, want about 30", y)
	}
}

func TestFromUnitsRefusesWhatIsNoPicture(t *testing.T) {
	tk := New(Options{})
	gop := units(t, 30, 60)
	for name, c := range map[string]struct {
		codec media.Codec
		units []*media.AccessUnit
	}{
		"none":           {media.CodecH264, nil},
		"no keyframe":    {media.CodecH264, gop[1:]},
		"an audio codec": {media.CodecAAC, gop},
		"an unknown one": {media.CodecOther, gop},
	} {
		if _, err := tk.FromUnits(context.Background(), c.codec, c.units); !errors.Is(err, ErrNoPicture) {
			t.Errorf("%s: %v, want ErrNoPicture", name, err)
		}
	}
}

// TestFromSegmentDecodesUpToTheTime: a recording black for a second and
// white after, one keyframe at its start; the still at 1.5 s is white (the
// decode ran from the keyframe to the time), the one at 0.5 s black.
func TestFromSegmentDecodesUpToTheTime(t *testing.T) {
	needFFmpeg(t)
	path := filepath.Join(t.TempDir(), "seg.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
		"color=c=black:s=160x96:r=25:d=1[a];color=c=white:s=160x96:r=25:d=1[b];[a][b]concat=n=2:v=1",
		"-c:v", "libx264", "-g", "50", "-bf", "0", "-pix_fmt", "yuv420p",
		"-movflags", "frag_keyframe+empty_moov+default_base_moof", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	tk := New(Options{})
	for _, c := range []struct {
		at     time.Duration
		bright bool
	}{{500 * time.Millisecond, false}, {1500 * time.Millisecond, true}} {
		b, err := tk.FromSegment(context.Background(), path, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if _, y := luma(t, b); (y > 128) != c.bright {
			t.Errorf("still at %s has luma %d", c.at, y)
		}
	}
	if _, err := tk.FromSegment(context.Background(), filepath.Join(t.TempDir(), "gone.mp4"), 0); err == nil {
		t.Error("a missing segment gave a still")
	}
}

// TestBusyWhenEverySlotIsTaken: with its one slot held, a request waits
// out its timeout and is refused as busy rather than queued for ever.
func TestBusyWhenEverySlotIsTaken(t *testing.T) {
	tk := New(Options{MaxConcurrent: 1, Timeout: 20 * time.Millisecond})
	tk.slots <- struct{}{}
	if _, err := tk.FromSegment(context.Background(), "x.mp4", 0); !errors.Is(err, ErrBusy) {
		t.Fatalf("%v, want ErrBusy", err)
	}
	<-tk.slots
}

func TestNeedsFFmpeg(t *testing.T) {
	tk := New(Options{FFmpeg: filepath.Join(t.TempDir(), "no-ffmpeg")})
	if _, err := tk.FromSegment(context.Background(), "x.mp4", 0); !errors.Is(err, ErrNeedsFFmpeg) {
		t.Fatalf("%v, want ErrNeedsFFmpeg", err)
	}
}
