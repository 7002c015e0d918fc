package sim

import "image"

// panScene is the larger picture a PTZ camera's window moves over: twice
// the stream's size, a pattern of tiles that differ in luma and colour so
// every move changes the frame.
type panScene struct {
	world        *image.YCbCr
	w, h         int // the window's size
	view         func() (fx, fy float64)
	x, y         int    // window drawn, -1 none yet
	redrawStatic func() // the picture's overlays, drawn again after a move
}

// panTile is the pattern's tile size in pixels (even).
const panTile = 32

func newPanScene(w, h, index int, view func() (float64, float64)) *panScene {
	s := &panScene{world: image.NewYCbCr(image.Rect(0, 0, 2*w, 2*h), image.YCbCrSubsampleRatio420), w: w, h: h, view: view, x: -1, y: -1}
	base := cameraColor(index)
	for ty := 0; ty*panTile < 2*h; ty++ {
		for tx := 0; tx*panTile < 2*w; tx++ {
			c := yuv{
				y:  byte(40 + (int(base.y)+tx*37+ty*91)%170),
				cb: byte(64 + (tx*11)%128),
				cr: byte(64 + (ty*13)%128),
			}
			fillYCbCr(s.world, tx*panTile, ty*panTile, panTile, panTile, c)
		}
	}
	return s
}

// window copies the window at the view's position into img, when it moved
// since the last copy; it reports whether it did.
func (s *panScene) window(img *image.YCbCr) bool {
	fx, fy := s.view()
	x := even(int(clamp01(fx) * float64(s.world.Rect.Dx()-s.w)))
	y := even(int(clamp01(fy) * float64(s.world.Rect.Dy()-s.h)))
	if x == s.x && y == s.y {
		return false
	}
	s.x, s.y = x, y
	for row := 0; row < s.h; row++ {
		src := s.world.Y[(y+row)*s.world.YStride+x:]
		copy(img.Y[row*img.YStride:row*img.YStride+s.w], src[:s.w])
	}
	for row := 0; row < s.h/2; row++ {
		o := (y/2+row)*s.world.CStride + x/2
		copy(img.Cb[row*img.CStride:row*img.CStride+s.w/2], s.world.Cb[o:o+s.w/2])
		copy(img.Cr[row*img.CStride:row*img.CStride+s.w/2], s.world.Cr[o:o+s.w/2])
	}
	return true
}

func clamp01(f float64) float64 { return min(1, max(0, f)) }

// fillYCbCr paints a rectangle of a 4:2:0 image, clipped; coordinates even.
func fillYCbCr(img *image.YCbCr, x, y, w, h int, c yuv) {
	r := image.Rect(x, y, x+w, y+h).Intersect(img.Rect)
	for yy := r.Min.Y; yy < r.Max.Y; yy++ {
		row := img.Y[yy*img.YStride:]
		for xx := r.Min.X; xx < r.Max.X; xx++ {
			row[xx] = c.y
		}
	}
	for yy := r.Min.Y / 2; yy < r.Max.Y/2; yy++ {
		o := yy * img.CStride
		for xx := r.Min.X / 2; xx < r.Max.X/2; xx++ {
			img.Cb[o+xx] = c.cb
			img.Cr[o+xx] = c.cr
		}
	}
}
