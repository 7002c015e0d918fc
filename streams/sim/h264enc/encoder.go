// Package h264enc is a tiny H.264 encoder for synthetic pictures.
//
// It never transforms or predicts: an IDR picture codes every macroblock as
// I_PCM (raw samples), and a P picture codes a macroblock that did not change
// since the previous picture as P_Skip (a copy from the reference) and one
// that did as I_PCM. Output is lossless, needs no CPU to speak of, and costs
// bits only where the picture changed: ideal for simulated cameras whose
// pictures are flat colour, text and a clock. The stream is Constrained
// Baseline, CAVLC, 4:2:0, one slice per picture, POC type 2.
package h264enc

import (
	"bytes"
	"fmt"
	"image"
)

// Options configures an Encoder.
type Options struct {
	// Width and Height of the pictures, in pixels; both even. The coded
	// size is rounded up to whole macroblocks and cropped back in the SPS.
	Width, Height int
	// FPS is written to the SPS timing information; 0 leaves it out.
	FPS int
}

// Encoder turns a sequence of pictures of one size into NAL units.
// It is not safe for concurrent use.
type Encoder struct {
	width, height, fps int
	mbW, mbH           int
	spsNALU, ppsNALU   []byte

	// ref holds what the decoder holds: the last picture, padded to whole
	// macroblocks. P pictures are diffed against it.
	ref      *image.YCbCr
	started  bool
	frameNum uint32
	// log2FrameNum is log2_max_frame_num.
	log2FrameNum uint32
	idrPicID     uint32
	changed      []bool
}

// maxDim bounds the picture size; level 5.1 ends at 4096 pixels wide.
const maxDim = 4096

// New returns an encoder for pictures of o.Width x o.Height.
func New(o Options) (*Encoder, error) {
	if o.Width < 16 || o.Height < 16 || o.Width > maxDim || o.Height > maxDim ||
		o.Width%2 != 0 || o.Height%2 != 0 {
		return nil, fmt.Errorf("h264enc: size %dx%d: need even sizes from 16 to %d", o.Width, o.Height, maxDim)
	}
	if o.FPS < 0 || o.FPS > 1000 {
		return nil, fmt.Errorf("h264enc: fps %d out of range", o.FPS)
	}
	e := &Encoder{
		width: o.Width, height: o.Height, fps: o.FPS,
		mbW: (o.Width + 15) / 16, mbH: (o.Height + 15) / 16,
		log2FrameNum: log2MaxFrameNum,
	}
	e.ref = image.NewYCbCr(image.Rect(0, 0, e.mbW*16, e.mbH*16), image.YCbCrSubsampleRatio420)
	fill(e.ref.Y, 16) // black; the padding stays so and is cropped away
	fill(e.ref.Cb, 128)
	fill(e.ref.Cr, 128)
	e.changed = make([]bool, e.mbW*e.mbH)
	e.spsNALU = e.sps()
	e.ppsNALU = e.pps()
	return e, nil
}

func fill(p []byte, v byte) {
	for i := range p {
		p[i] = v
	}
}

// SPS returns the sequence parameter set NAL unit (without start code).
func (e *Encoder) SPS() []byte { return bytes.Clone(e.spsNALU) }

// PPS returns the picture parameter set NAL unit (without start code).
func (e *Encoder) PPS() []byte { return bytes.Clone(e.ppsNALU) }

// Encode codes img as one access unit. An IDR access unit is SPS, PPS and
// the IDR slice, so that a reader joining at any IDR can decode; otherwise it
// is a single P slice. The first picture is always IDR. img must be 4:2:0 and
// of the configured size. The returned NAL units are newly allocated and
// belong to the caller.
func (e *Encoder) Encode(img *image.YCbCr, idr bool) ([][]byte, error) {
	if img.SubsampleRatio != image.YCbCrSubsampleRatio420 ||
		img.Rect.Dx() != e.width || img.Rect.Dy() != e.height ||
		img.Rect.Min.X%2 != 0 || img.Rect.Min.Y%2 != 0 {
		return nil, fmt.Errorf("h264enc: want 4:2:0 %dx%d picture, got %v %v",
			e.width, e.height, img.SubsampleRatio, img.Rect)
	}
	idr = idr || !e.started
	e.started = true

	n := 0
	for my := range e.mbH {
		// Most macroblock rows of a synthetic picture do not change: one
		// full-width compare per row rules them out cheaply.
		rowChanged := idr || e.rowDiffers(img, my)
		for mx := range e.mbW {
			c := rowChanged && (idr || e.differs(img, mx, my))
			if c {
				e.copyMB(img, mx, my)
				n++
			}
			e.changed[my*e.mbW+mx] = c
		}
	}

	if idr {
		e.frameNum = 0
		slice := e.slice(true, n)
		e.idrPicID = (e.idrPicID + 1) % 65536
		e.frameNum = 1
		return [][]byte{e.SPS(), e.PPS(), slice}, nil
	}
	slice := e.slice(false, n)
	e.frameNum = (e.frameNum + 1) % (1 << e.log2FrameNum)
	return [][]byte{slice}, nil
}
