// Package hevc normalizes H.265 (HEVC) access units coming from cameras,
// as package avc does for H.264: broken and oversized NAL units are
// dropped and counted, VPS, SPS and PPS are learned (from the SDP or
// in-band) and put before every random-access picture, decoding times are
// derived, and timestamps are made monotonic across wrap-around and
// reconnects.
package hevc

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"vigil/streams/clock"
	"vigil/streams/media"
	"vigil/streams/nalu"
)

// Normalizer turns raw H.265 access units of one camera into
// media.AccessUnits. One source goroutine owns it.
type Normalizer struct {
	// MaxNALUSize overrides nalu.DefaultMaxSize when positive.
	MaxNALUSize int

	params   nalu.Params
	stamp    nalu.Stamper
	counters nalu.Counters
}

// New returns a normalizer that continues the timeline c (nil: its own).
func New(c *clock.Clock) *Normalizer {
	n := &Normalizer{}
	n.stamp.Clock = c
	return n
}

func newExtractor() nalu.DTSExtractor {
	e := &h265.DTSExtractor{}
	e.Initialize()
	return e
}

// SetParams seeds the parameter sets, from the SDP for example. Empty
// values are ignored.
func (n *Normalizer) SetParams(vps, sps, pps []byte) {
	n.params.Learn(&n.params.VPS, vps)
	n.learnSPS(sps)
	n.params.Learn(&n.params.PPS, pps)
}

// Reconnected makes the next timestamp continue from the last one.
func (n *Normalizer) Reconnected() { n.stamp.Reset() }

// Track returns the track as currently known, and whether it changed since
// the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	return n.params.Track(media.CodecH265, n.stamp.Reordered())
}

// Counters returns what was dropped so far.
func (n *Normalizer) Counters() nalu.Counters { return n.counters }

// Normalize converts one access unit with its timestamp in 90 kHz ticks,
// received at wall time now. It returns nil when nothing decodable is left.
func (n *Normalizer) Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit {
	out := make([][]byte, 0, len(nalus)+3)
	key := false
	for _, u := range nalus {
		if !n.valid(u) {
			continue
		}
		switch typ := naluType(u); {
		case typ == h265.NALUType_VPS_NUT:
			n.params.Learn(&n.params.VPS, u)
		case typ == h265.NALUType_SPS_NUT:
			n.learnSPS(u)
		case typ == h265.NALUType_PPS_NUT:
			n.params.Learn(&n.params.PPS, u)
		case typ == h265.NALUType_AUD_NUT, typ == h265.NALUType_FD_NUT:
			// Useless to every output.
		case typ >= h265.NALUType_BLA_W_LP && typ <= h265.NALUType_RSV_IRAP_VCL23:
			key = true
			out = append(out, u)
		default:
			out = append(out, u)
		}
	}
	if !hasSlice(out) {
		return nil
	}
	if n.stamp.NewExtractor == nil {
		n.stamp.NewExtractor = newExtractor
	}
	p := &n.params
	au, newly := n.stamp.Unit(out, pts90k, key, now, &n.counters, p.VPS, p.SPS, p.PPS)
	if newly {
		p.Changed()
	}
	return au
}

func naluType(u []byte) h265.NALUType { return h265.NALUType((u[0] >> 1) & 0x3f) }

func (n *Normalizer) valid(u []byte) bool {
	if !n.counters.CheckSize(u, n.MaxNALUSize) {
		return false
	}
	// A NAL unit header is two bytes. Aggregation, fragmentation and PACI
	// units are RTP packaging that must never survive depacketization;
	// 41-47 and 51+ are reserved.
	if len(u) < 2 || naluType(u) > h265.NALUType_SUFFIX_SEI_NUT {
		n.counters.Broken++
		return false
	}
	return true
}

func (n *Normalizer) learnSPS(sps []byte) {
	if n.params.LearnSPS(sps, &h265.SPS{}, &n.counters) {
		n.stamp.Renew() // a new SPS may end B-frames; the next units tell
	}
}

// hasSlice reports whether the unit holds a coded picture: a VCL NAL unit
// (types 0-31).
func hasSlice(nalus [][]byte) bool {
	for _, u := range nalus {
		if naluType(u) < h265.NALUType_VPS_NUT {
			return true
		}
	}
	return false
}
