// Package hevc normalizes H.265 (HEVC) access units coming from cameras,
// as package avc does for H.264: broken and oversized NAL units are
// dropped and counted, VPS, SPS and PPS are learned (from the SDP or
// in-band) and put before every random-access picture, decoding times are
// derived, and timestamps are made monotonic across wrap-around and
// reconnects. The rules are nalu.Normalizer's; this package tells it
// H.265 (Codec).
package hevc

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"vigil/streams/clock"
	"vigil/streams/media"
	"vigil/streams/nalu"
)

// Normalizer turns raw H.265 access units of one camera into
// media.AccessUnits by nalu.Normalizer's rules. One source goroutine owns
// it. Its zero value is ready; MaxNALUSize overrides nalu.DefaultMaxSize.
type Normalizer = nalu.Normalizer[Codec]

// New returns a normalizer that continues the timeline c (nil: its own).
func New(c *clock.Clock) *Normalizer {
	n := &Normalizer{}
	n.SetClock(c)
	return n
}

// Codec describes H.265 to nalu.Normalizer.
type Codec struct{}

// Media is H.265.
func (Codec) Media() media.Codec { return media.CodecH265 }

// HasVPS is true: an H.265 keyframe starts with VPS, SPS and PPS.
func (Codec) HasVPS() bool { return true }

// Kind reads the type in the two-byte NAL unit header.
func (Codec) Kind(u []byte) nalu.Kind {
	if len(u) < 2 {
		return nalu.KindBroken
	}
	switch typ := naluType(u); {
	case typ > h265.NALUType_SUFFIX_SEI_NUT:
		// Aggregation, fragmentation and PACI units are RTP packaging that
		// must never survive depacketization; 41-47 and 51+ are reserved.
		return nalu.KindBroken
	case typ == h265.NALUType_VPS_NUT:
		return nalu.KindVPS
	case typ == h265.NALUType_SPS_NUT:
		return nalu.KindSPS
	case typ == h265.NALUType_PPS_NUT:
		return nalu.KindPPS
	case typ == h265.NALUType_AUD_NUT, typ == h265.NALUType_FD_NUT:
		return nalu.KindUseless
	case typ >= h265.NALUType_BLA_W_LP && typ <= h265.NALUType_RSV_IRAP_VCL23:
		return nalu.KindKeySlice
	case typ < h265.NALUType_VPS_NUT:
		return nalu.KindSlice // a VCL NAL unit (types 0-31)
	}
	return nalu.KindOther
}

func naluType(u []byte) h265.NALUType { return h265.NALUType((u[0] >> 1) & 0x3f) }

// PictureSize parses sps.
func (Codec) PictureSize(sps []byte) (int, int, error) {
	var s h265.SPS
	if err := s.Unmarshal(sps); err != nil {
		return 0, 0, err
	}
	return s.Width(), s.Height(), nil
}

// NewExtractor returns mediacommon's H.265 decoding-time extractor.
func (Codec) NewExtractor() nalu.DTSExtractor {
	e := &h265.DTSExtractor{}
	e.Initialize()
	return e
}
