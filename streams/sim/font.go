package sim

import (
	"image"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// glyph geometry of basicfont.Face7x13.
const (
	glyphW = 7
	glyphH = 13
)

// glyphs is basicfont's 7x13 face unpacked into one bit row per scan line,
// so drawing a character costs no interface calls.
type glyphs [128][glyphH]uint8

func newGlyphs() *glyphs {
	var g glyphs
	face := basicfont.Face7x13
	for r := rune(32); r < 127; r++ {
		dr, mask, mp, _, ok := face.Glyph(fixed.P(0, face.Ascent), r)
		if !ok {
			continue
		}
		for y := 0; y < dr.Dy() && dr.Min.Y+y < glyphH; y++ {
			for x := 0; x < dr.Dx() && dr.Min.X+x < glyphW; x++ {
				if _, _, _, a := mask.At(mp.X+x, mp.Y+y).RGBA(); a >= 0x8000 {
					g[r][dr.Min.Y+y] |= 1 << (dr.Min.X + x)
				}
			}
		}
	}
	return &g
}

// drawChar paints character c at (x0, y0) scaled by s into the luma plane:
// glyph pixels fg, the rest of the cell bg. Chroma is left alone: text
// sits on neutral bands. Pixels outside img are clipped.
func (g *glyphs) drawChar(img *image.YCbCr, x0, y0, s int, c byte, fg, bg uint8) {
	if c >= 128 {
		c = '?'
	}
	b := img.Rect
	for gy := 0; gy < glyphH; gy++ {
		bits := g[c][gy]
		for sy := 0; sy < s; sy++ {
			y := y0 + gy*s + sy
			if y < b.Min.Y || y >= b.Max.Y {
				continue
			}
			row := img.Y[img.YOffset(b.Min.X, y)-b.Min.X:]
			for gx := 0; gx < glyphW; gx++ {
				v := bg
				if bits&(1<<gx) != 0 {
					v = fg
				}
				for sx := 0; sx < s; sx++ {
					if x := x0 + gx*s + sx; x >= b.Min.X && x < b.Max.X {
						row[x] = v
					}
				}
			}
		}
	}
}
