// Package hevc normalizes H.265 (HEVC) access units coming from cameras,
// as package avc does for H.264: broken and oversized NAL units are
// dropped and counted, VPS, SPS and PPS are learned (from the SDP or
// in-band) and put before every random-access picture, decoding times are
// derived, and timestamps are made monotonic across wrap-around and
// reconnects.
package hevc

import (
	"bytes"
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

	vps, sps, pps []byte
	track         media.Track
	changed       bool

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
	n.learn(&n.vps, vps)
	if len(sps) > 0 {
		n.learnSPS(sps)
	}
	n.learn(&n.pps, pps)
}

// Reconnected makes the next timestamp continue from the last one.
func (n *Normalizer) Reconnected() { n.stamp.Reset() }

// Track returns the track as currently known, and whether it changed since
// the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	c := n.changed
	n.changed = false
	t := n.track
	t.Codec = media.CodecH265
	t.VPS, t.SPS, t.PPS = n.vps, n.sps, n.pps
	t.Reordered = n.stamp.Reordered()
	return t, c
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
			n.learn(&n.vps, u)
		case typ == h265.NALUType_SPS_NUT:
			n.learnSPS(u)
		case typ == h265.NALUType_PPS_NUT:
			n.learn(&n.pps, u)
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
	if key {
		if n.vps == nil || n.sps == nil || n.pps == nil {
			n.counters.NoParamSets++
			return nil
		}
		out = append([][]byte{n.vps, n.sps, n.pps}, out...)
	}
	if n.stamp.NewExtractor == nil {
		n.stamp.NewExtractor = newExtractor
	}
	pts, dts, newly := n.stamp.Stamp(out, pts90k, key, now, &n.counters)
	n.changed = n.changed || newly
	return &media.AccessUnit{PTS: pts, DTS: dts, Received: now, NALUs: out, Key: key}
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

func (n *Normalizer) learn(dst *[]byte, u []byte) {
	if len(u) > 0 && !bytes.Equal(u, *dst) {
		*dst = bytes.Clone(u)
		n.changed = true
	}
}

func (n *Normalizer) learnSPS(sps []byte) {
	if bytes.Equal(sps, n.sps) {
		return
	}
	var parsed h265.SPS
	if err := parsed.Unmarshal(sps); err != nil {
		n.counters.BadSPS++
		return
	}
	if !n.counters.CheckPictureSize(parsed.Width(), parsed.Height()) {
		return
	}
	n.sps = bytes.Clone(sps)
	n.stamp.Renew()
	n.track.Width = parsed.Width()
	n.track.Height = parsed.Height()
	n.changed = true
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
