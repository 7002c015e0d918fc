// Package nalu is the normalizer of H.264 and H.265 access units, once:
// Normalizer holds every rule the two codecs share (drop counters, the
// size check of a NAL unit, parameter sets learned and put before every
// keyframe, delimiters and filler dropped, decoding and presentation
// times). Packages avc and hevc give it a Codec, what differs: the NAL
// header and its types, the SPS parser, the decoding-time extractor.
package nalu

import (
	"time"

	"vigil/streams/clock"
)

// DefaultMaxSize bounds one NAL unit. A 4K keyframe is 1–2 MB; anything
// far beyond is a broken or hostile camera.
const DefaultMaxSize = 4 << 20

// Counters count what a normalizer had to throw away.
type Counters struct {
	Broken      uint64 // empty, forbidden bit set or a type that has no place in an access unit
	Oversize    uint64
	NoParamSets uint64 // keyframe dropped because its parameter sets were not known yet
	BadSPS      uint64 // SPS that did not parse
	Rebases     uint64 // timestamp jumps that were smoothed
	BadDTS      uint64 // decoding time not derivable; the unit was sent with DTS = PTS
}

// CheckSize counts and refuses an empty or oversized NAL unit, or one
// with the forbidden bit set (the same first bit in H.264 and H.265).
func (c *Counters) CheckSize(n []byte, max int) bool {
	if max <= 0 {
		max = DefaultMaxSize
	}
	switch {
	case len(n) == 0, n[0]&0x80 != 0:
		c.Broken++
		return false
	case len(n) > max:
		c.Oversize++
		return false
	}
	return true
}

// MaxPictureSide bounds the width and height an SPS may declare. No
// camera comes near it (8K is 7680 wide); a bigger or empty picture is a
// broken or hostile SPS, not a size to show, record or allocate for.
const MaxPictureSide = 16384

// CheckPictureSize counts and refuses an SPS whose picture is empty or
// beyond MaxPictureSide: the unit is dropped like any broken NAL unit and
// the track keeps its last good size.
func (c *Counters) CheckPictureSize(width, height int) bool {
	if width <= 0 || height <= 0 || width > MaxPictureSide || height > MaxPictureSide {
		c.Broken++
		return false
	}
	return true
}

// DTSExtractor derives a unit's decoding time from its picture order
// (mediacommon's h264 and h265 extractors).
type DTSExtractor interface {
	Extract(au [][]byte, pts int64) (int64, error)
}

// Stamper gives the units of one video stream their decoding and
// presentation times on a monotonic timeline. B-frames make the
// decoding time lag the presentation time; a stream that shows them is
// Reordered, which outputs that cannot carry it must know at once.
type Stamper struct {
	// Clock, when set, is the timeline to continue: a source keeps one per
	// hub, so a camera that comes back with another codec continues it.
	Clock *clock.Clock
	// NewExtractor makes the codec's extractor, fresh at every keyframe
	// after a reset or an error.
	NewExtractor func() DTSExtractor

	own       clock.Clock
	ext       DTSExtractor
	reordered bool
}

// Reset makes the next timestamp continue from the last one (a new
// session) and restarts the picture order at the next keyframe.
func (s *Stamper) Reset() {
	s.clk().Reset()
	s.ext = nil
}

// Renew forgets whether the stream was reordered (a new SPS may end
// B-frames; the next units tell).
func (s *Stamper) Renew() { s.reordered = false }

// Reordered reports whether the stream showed B-frames since Renew.
func (s *Stamper) Reordered() bool { return s.reordered }

// Stamp returns the unit's presentation and decoding times; newly is true
// when this unit showed the stream to be reordered.
func (s *Stamper) Stamp(nalus [][]byte, pts90k int64, key bool, now time.Time, c *Counters) (pts, dts time.Duration, newly bool) {
	dts90k := pts90k
	if s.ext == nil && key {
		s.ext = s.NewExtractor()
	}
	if s.ext != nil {
		d, err := s.ext.Extract(nalus, pts90k)
		switch {
		case err != nil:
			// Unparsable slice header or a broken camera clock: start over
			// at the next keyframe rather than publish a decoding time
			// that goes back.
			c.BadDTS++
			s.ext = nil
		case d != pts90k && !s.reordered:
			s.reordered, newly = true, true
			dts90k = d
		default:
			dts90k = d
		}
	}
	dts = s.clk().Map(dts90k, 90000, now)
	c.Rebases = s.clk().Rebases()
	return dts + clock.Duration(pts90k-dts90k, 90000), dts, newly
}

func (s *Stamper) clk() *clock.Clock {
	if s.Clock != nil {
		return s.Clock
	}
	return &s.own
}
