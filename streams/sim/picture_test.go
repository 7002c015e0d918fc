package sim

import (
	"bytes"
	"image"
	"testing"
	"time"

	"vigil/streams/sim/h264enc"
)

func TestPictureRedrawsOnlyChanges(t *testing.T) {
	p, err := NewPicture(PictureOptions{Width: 640, Height: 360, Index: 1, Title: "bjx-nsq-03", Subtitle: "x"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	prev := clone(p.Draw(t0, 0))
	cur := p.Draw(t0.Add(40*time.Millisecond), 1)
	changed := changedMBs(prev, cur)
	// Frame counter digit, maybe the tenths digit, and the marker.
	if changed == 0 || changed > 12 {
		t.Fatalf("%d macroblocks changed between consecutive frames", changed)
	}
	if again := p.Draw(t0.Add(40*time.Millisecond), 1); changedMBs(cur, again) != 0 {
		t.Fatal("same time and frame redrew something")
	}
}

func TestPictureCamerasDiffer(t *testing.T) {
	seen := map[yuv]int{}
	for i := range 20 {
		c := cameraColor(i)
		if j, dup := seen[c]; dup {
			t.Errorf("cameras %d and %d share colour %v", j, i, c)
		}
		seen[c] = i
		if c.y < 40 || c.y > 150 {
			t.Errorf("camera %d background luma %d: too dark or too bright for white text", i, c.y)
		}
	}
}

func TestPictureRejects(t *testing.T) {
	if _, err := NewPicture(PictureOptions{Width: 31, Height: 40}); err == nil {
		t.Fatal("odd size accepted")
	}
	// Long titles and tiny pictures are clipped, not a panic.
	if _, err := NewPicture(PictureOptions{Width: 32, Height: 32, Title: string(bytes.Repeat([]byte("a"), 64))}); err != nil {
		t.Fatal(err)
	}
}

func clone(img *image.YCbCr) *image.YCbCr {
	c := *img
	c.Y, c.Cb, c.Cr = bytes.Clone(img.Y), bytes.Clone(img.Cb), bytes.Clone(img.Cr)
	return &c
}

func changedMBs(a, b *image.YCbCr) int {
	n := 0
	for my := 0; my*16 < a.Rect.Dy(); my++ {
		for mx := 0; mx*16 < a.Rect.Dx(); mx++ {
			r := image.Rect(mx*16, my*16, mx*16+16, my*16+16).Intersect(a.Rect)
			if !sameRect(a, b, r) {
				n++
			}
		}
	}
	return n
}

func sameRect(a, b *image.YCbCr, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		o := a.YOffset(r.Min.X, y)
		if !bytes.Equal(a.Y[o:o+r.Dx()], b.Y[o:o+r.Dx()]) {
			return false
		}
		c := a.COffset(r.Min.X, y)
		if a.Cb[c] != b.Cb[c] || a.Cr[c] != b.Cr[c] {
			return false
		}
	}
	return true
}

// BenchmarkCameraFrame measures one camera frame as the camera goroutine
// makes it: draw and encode the 640x360 main and the 320x180 sub stream,
// with an IDR every 50 frames (RTP packetization not included).
func BenchmarkCameraFrame(b *testing.B) {
	type stream struct {
		pic *Picture
		enc *h264enc.Encoder
	}
	var ss []stream
	for _, sz := range [][2]int{{640, 360}, {320, 180}} {
		p, _ := NewPicture(PictureOptions{Width: sz[0], Height: sz[1], Index: 2, Title: "bjx-nsq-03"})
		e, _ := h264enc.New(h264enc.Options{Width: sz[0], Height: sz[1], FPS: 25})
		ss = append(ss, stream{p, e})
	}
	t0 := time.Now()
	bytesOut := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range ss {
			au, err := s.enc.Encode(s.pic.Draw(t0.Add(time.Duration(i)*40*time.Millisecond), int64(i)), i%50 == 0)
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range au {
				bytesOut += len(n)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
	b.ReportMetric(float64(bytesOut)*8*25/float64(b.N)/1e6, "Mbit/s@25fps")
}
