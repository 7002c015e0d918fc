// Package avc normalizes H.264 (AVC) access units coming from cameras:
// broken and oversized NAL units are dropped and counted, parameter sets are
// learned (from the SDP or in-band) and put before every IDR, decoding
// times are derived (B-frames send pictures out of display order), and
// timestamps are made monotonic across RTP wrap-around and reconnects.
// The rules are nalu.Normalizer's; this package tells it H.264 (Codec).
package avc

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/clock"
	"vigil/streams/media"
	"vigil/streams/nalu"
)

// Normalizer turns raw H.264 access units of one camera into
// media.AccessUnits by nalu.Normalizer's rules. One source goroutine owns
// it. Its zero value is ready; MaxNALUSize overrides nalu.DefaultMaxSize.
type Normalizer = nalu.Normalizer[Codec]

// New returns a normalizer that continues the timeline c (nil: its own).
func New(c *clock.Clock) *Normalizer {
	n := &Normalizer{}
	n.SetClock(c)
	return n
}

// Codec describes H.264 to nalu.Normalizer.
type Codec struct{}

// Media is H.264.
func (Codec) Media() media.Codec { return media.CodecH264 }

// HasVPS is false: H.264 has SPS and PPS only.
func (Codec) HasVPS() bool { return false }

// Kind reads the type in the one-byte NAL unit header.
func (Codec) Kind(u []byte) nalu.Kind {
	switch typ := h264.NALUType(u[0] & 0x1f); {
	case typ == 0 || typ >= 24:
		// 0 is unspecified; 24 and above are RTP aggregation and
		// fragmentation units that must never survive depacketization.
		return nalu.KindBroken
	case typ == h264.NALUTypeSPS:
		return nalu.KindSPS
	case typ == h264.NALUTypePPS:
		return nalu.KindPPS
	case typ == h264.NALUTypeAccessUnitDelimiter, typ == h264.NALUTypeFillerData:
		return nalu.KindUseless
	case typ == h264.NALUTypeIDR:
		return nalu.KindKeySlice
	case typ == h264.NALUTypeNonIDR, typ == h264.NALUTypeDataPartitionA:
		return nalu.KindSlice
	}
	return nalu.KindOther
}

// PictureSize parses sps.
func (Codec) PictureSize(sps []byte) (int, int, error) {
	var s h264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return 0, 0, err
	}
	return s.Width(), s.Height(), nil
}

// NewExtractor returns mediacommon's H.264 decoding-time extractor.
func (Codec) NewExtractor() nalu.DTSExtractor {
	e := &h264.DTSExtractor{}
	e.Initialize()
	return e
}
