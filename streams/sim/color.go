package sim

import "math"

// yuv is a colour in limited-range BT.601 YCbCr, what an H.264 stream
// without colour description is decoded as (Go's color.YCbCr is full range
// and would look washed out).
type yuv struct{ y, cb, cr uint8 }

// Luma levels of the overlay text: nominal black and white.
const (
	lumaBlack = 16
	lumaWhite = 235
)

// overlayBand is the neutral dark band behind text. Its chroma is neutral
// so white glyphs need only luma, whatever the 4:2:0 alignment.
func overlayBand() yuv { return yuv{lumaBlack + 8, 128, 128} }

// rgbToYUV converts 8-bit sRGB-ish RGB to limited-range BT.601.
func rgbToYUV(r, g, b float64) yuv {
	y := 16 + (65.481*r+128.553*g+24.966*b)/255
	cb := 128 + (-37.797*r-74.203*g+112.0*b)/255
	cr := 128 + (112.0*r-93.786*g-18.214*b)/255
	return yuv{clamp8(y), clamp8(cb), clamp8(cr)}
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// cameraColor gives camera i a background of its own: hues spread by the
// golden ratio so neighbours differ, dark enough for white text.
func cameraColor(i int) yuv {
	h := math.Mod(float64(i)*0.6180339887, 1) * 6
	s, v := 0.6, 0.55
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := v - c
	return rgbToYUV((r+m)*255, (g+m)*255, (b+m)*255)
}

// markerColor is the moving marker: a saturated yellow visible on any
// background.
func markerColor() yuv { return rgbToYUV(255, 210, 0) }
