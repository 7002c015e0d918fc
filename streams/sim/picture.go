package sim

import (
	"fmt"
	"image"
	"strconv"
	"time"
)

// PictureOptions describes one camera's synthetic picture.
type PictureOptions struct {
	// Width and Height in pixels, both even.
	Width, Height int
	// Index picks the background colour, so cameras look different.
	Index int
	// Title is drawn big at the top: the camera id.
	Title string
	// Subtitle is a small static line under the title.
	Subtitle string
	// View, when set, makes the picture a window onto a scene twice its
	// size that a PTZ moves: it returns the window's position, 0…1 across
	// the scene's free travel in x and y (see picture_pan.go).
	View func() (fx, fy float64)
}

// Picture draws a camera picture in 4:2:0: a background of the camera's
// own colour, its id in big letters, a wall clock with tenths and a frame
// counter, and a marker that moves every frame. Draw redraws only what
// changed, so the encoder's per-macroblock diff sends only that.
type Picture struct {
	img   *image.YCbCr
	font  *glyphs
	bg    yuv
	mark  yuv
	small int // scale of the clock and subtitle text
	pad   int // band padding around text

	clockX, clockY int
	clock          []byte // text on screen
	next           []byte // scratch for the next text

	markX0, markY, markSize, markStep, markSteps int
	markLast                                     int // drawn position, -1 none

	pan *panScene // nil: a fixed picture
}

// clockChars reserves room for "2006-01-02 15:04:05.0  #0000000".
const clockChars = 32

// NewPicture draws the static parts of the picture.
func NewPicture(o PictureOptions) (*Picture, error) {
	if o.Width < 32 || o.Height < 32 || o.Width%2 != 0 || o.Height%2 != 0 {
		return nil, fmt.Errorf("sim picture: size %dx%d: need even sizes of at least 32", o.Width, o.Height)
	}
	p := &Picture{
		img:      image.NewYCbCr(image.Rect(0, 0, o.Width, o.Height), image.YCbCrSubsampleRatio420),
		font:     newGlyphs(),
		bg:       cameraColor(o.Index),
		mark:     markerColor(),
		small:    max(1, o.Width/320),
		markLast: -1,
	}
	p.pad = 2 * p.small
	if o.View != nil {
		p.pan = newPanScene(o.Width, o.Height, o.Index, o.View)
		p.pan.window(p.img)
	} else {
		p.fill(0, 0, o.Width, o.Height, p.bg)
	}
	m := even(4 * p.small)
	bandH := glyphH*p.small + 2*p.pad
	p.clockX, p.clockY = m+p.pad, o.Height-m-bandH+p.pad
	p.drawStatic(o, m, bandH)

	p.markSize = even(8 * p.small)
	p.markStep = even(2 * p.small)
	p.markX0 = m
	p.markY = even(o.Height - 2*m - bandH - p.markSize)
	p.markSteps = max(1, (o.Width-2*m-p.markSize)/p.markStep)
	return p, nil
}

// drawStatic draws the title, subtitle and the clock's band.
func (p *Picture) drawStatic(o PictureOptions, m, bandH int) {
	// The title gets the biggest scale that fits the width.
	big := max(1, min(o.Width/160, (o.Width-2*m-2*p.pad)/max(1, len(o.Title)*glyphW)))
	y := p.text(m, m, big, o.Title)
	if o.Subtitle != "" {
		p.text(m, y+p.pad, p.small, o.Subtitle)
	}
	p.fill(m, o.Height-m-bandH, clockChars*glyphW*p.small+2*p.pad, bandH, overlayBand())
	if p.pan != nil {
		p.pan.redrawStatic = func() { p.drawStatic(o, m, bandH) }
	}
}

func even(v int) int { return v &^ 1 }

// text draws a static line on a band at (x, y) and returns the y below it.
func (p *Picture) text(x, y, s int, str string) int {
	h := glyphH*s + 2*p.pad
	p.fill(x, y, len(str)*glyphW*s+2*p.pad, h, overlayBand())
	for i := 0; i < len(str); i++ {
		p.font.drawChar(p.img, x+p.pad+i*glyphW*s, y+p.pad, s, str[i], lumaWhite, overlayBand().y)
	}
	return even(y + h + 1)
}

// Image returns the picture as last drawn. It is reused by the next Draw.
func (p *Picture) Image() *image.YCbCr { return p.img }

// Draw updates the clock (t), the frame counter and the marker for frame
// number frame, and returns the picture (reused by the next Draw).
func (p *Picture) Draw(t time.Time, frame int64) *image.YCbCr {
	if p.pan != nil && p.pan.window(p.img) {
		// The scene moved under the overlays: draw them all again.
		p.pan.redrawStatic()
		p.clock, p.markLast = p.clock[:0], -1
	}
	p.next = t.AppendFormat(p.next[:0], "2006-01-02 15:04:05.0")
	p.next = append(p.next, "  #"...)
	p.next = strconv.AppendInt(p.next, frame, 10)
	band := overlayBand().y
	for i := 0; i < clockChars; i++ {
		c, old := byte(' '), byte(' ')
		if i < len(p.next) {
			c = p.next[i]
		}
		if i < len(p.clock) {
			old = p.clock[i]
		}
		if c != old || len(p.clock) == 0 {
			p.font.drawChar(p.img, p.clockX+i*glyphW*p.small, p.clockY, p.small, c, lumaWhite, band)
		}
	}
	p.clock = append(p.clock[:0], p.next...)
	p.moveMarker(int(frame % int64(p.markSteps)))
	return p.img
}

// moveMarker erases the marker at its last position and draws it at pos.
func (p *Picture) moveMarker(pos int) {
	if pos == p.markLast {
		return
	}
	if p.markLast >= 0 {
		p.fill(p.markX0+p.markLast*p.markStep, p.markY, p.markSize, p.markSize, p.bg)
	}
	p.fill(p.markX0+pos*p.markStep, p.markY, p.markSize, p.markSize, p.mark)
	p.markLast = pos
}

// fill paints a rectangle in all three planes, clipped to the picture.
// Coordinates are rounded to even so chroma covers exactly the rectangle.
func (p *Picture) fill(x, y, w, h int, c yuv) {
	r := image.Rect(even(x), even(y), even(x+w+1), even(y+h+1))
	fillYCbCr(p.img, r.Min.X, r.Min.Y, r.Dx(), r.Dy(), c)
}
