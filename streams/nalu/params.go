package nalu

import (
	"bytes"

	"vigil/streams/media"
)

// Params are the parameter sets a normalizer has learned (from the SDP or
// in-band) and the picture size of its SPS. VPS is H.265's only. The sets
// are copies: the units they came from belong to the depacketizer.
type Params struct {
	VPS, SPS, PPS []byte
	Width, Height int
	changed       bool
}

// Learn keeps u in *dst, one of p's sets, when it is not empty and differs
// from what is there.
func (p *Params) Learn(dst *[]byte, u []byte) {
	if len(u) > 0 && !bytes.Equal(u, *dst) {
		*dst = bytes.Clone(u)
		p.changed = true
	}
}

// LearnSPS keeps sps and its picture size when it differs from the SPS in
// force and pictureSize (the codec's SPS parser) reads it. An SPS that does not
// parse, or declares an impossible picture, is counted and refused: the
// track keeps its last good one. It reports whether sps was taken, so that
// the caller can forget what the old SPS implied (B-frames).
func (p *Params) LearnSPS(sps []byte, pictureSize func([]byte) (int, int, error), c *Counters) bool {
	if len(sps) == 0 || bytes.Equal(sps, p.SPS) {
		return false
	}
	width, height, err := pictureSize(sps)
	if err != nil {
		c.BadSPS++
		return false
	}
	if !c.CheckPictureSize(width, height) {
		return false
	}
	p.SPS = bytes.Clone(sps)
	p.Width, p.Height = width, height
	p.changed = true
	return true
}

// Changed marks the track changed for a reason beyond the sets (the stream
// turned out to be reordered).
func (p *Params) Changed() { p.changed = true }

// Track returns the video track of codec as the sets describe it, and
// whether it changed since the last call.
func (p *Params) Track(codec media.Codec, reordered bool) (media.Track, bool) {
	changed := p.changed
	p.changed = false
	return media.Track{
		Codec: codec, Width: p.Width, Height: p.Height,
		VPS: p.VPS, SPS: p.SPS, PPS: p.PPS, Reordered: reordered,
	}, changed
}
