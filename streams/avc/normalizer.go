// Package avc normalizes H.264 (AVC) access units coming from cameras:
// broken and oversized NAL units are dropped and counted, parameter sets are
// learned (from the SDP or in-band) and put before every IDR, decoding
// times are derived (B-frames send pictures out of display order), and
// timestamps are made monotonic across RTP wrap-around and reconnects.
package avc

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/streams/clock"
	"vigil/streams/media"
	"vigil/streams/nalu"
)

// Normalizer turns raw access units of one camera into media.AccessUnits.
// It is not safe for concurrent use: one source goroutine owns it.
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
	e := &h264.DTSExtractor{}
	e.Initialize()
	return e
}

// SetParams seeds the parameter sets, from the SDP for example. Empty
// values are ignored.
func (n *Normalizer) SetParams(sps, pps []byte) {
	n.learnSPS(sps)
	n.params.Learn(&n.params.PPS, pps)
}

// Reconnected tells the normalizer that a new session began, so the next
// timestamp continues from the last one instead of the camera's new clock.
func (n *Normalizer) Reconnected() { n.stamp.Reset() }

// Track returns the video track as currently known, and whether it changed
// since the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	return n.params.Track(media.CodecH264, n.stamp.Reordered())
}

// Counters returns what was dropped so far.
func (n *Normalizer) Counters() nalu.Counters { return n.counters }

// Normalize converts one access unit with its RTP-derived timestamp (90 kHz
// ticks, already unwrapped by the RTP layer) received at wall time now. It
// returns nil when nothing decodable is left.
func (n *Normalizer) Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit {
	out := make([][]byte, 0, len(nalus)+2)
	key := false
	for _, u := range nalus {
		if !n.valid(u) {
			continue
		}
		switch h264.NALUType(u[0] & 0x1f) {
		case h264.NALUTypeSPS:
			n.learnSPS(u)
		case h264.NALUTypePPS:
			n.params.Learn(&n.params.PPS, u)
		case h264.NALUTypeAccessUnitDelimiter, h264.NALUTypeFillerData:
			// Useless to every output; WebRTC decoders choke on some AUDs.
		case h264.NALUTypeIDR:
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
	au, newly := n.stamp.Unit(out, pts90k, key, now, &n.counters, n.params.SPS, n.params.PPS)
	if newly {
		n.params.Changed()
	}
	return au
}

func (n *Normalizer) valid(u []byte) bool {
	if !n.counters.CheckSize(u, n.MaxNALUSize) {
		return false
	}
	// 0 is unspecified; 24 and above are RTP aggregation and fragmentation
	// units that must never survive depacketization.
	if typ := h264.NALUType(u[0] & 0x1f); typ == 0 || typ >= 24 {
		n.counters.Broken++
		return false
	}
	return true
}

func (n *Normalizer) learnSPS(sps []byte) {
	if n.params.LearnSPS(sps, &h264.SPS{}, &n.counters) {
		n.stamp.Renew() // a new SPS may end B-frames; the next units tell
	}
}

// hasSlice reports whether the unit holds a coded picture (slice data).
func hasSlice(nalus [][]byte) bool {
	for _, u := range nalus {
		switch h264.NALUType(u[0] & 0x1f) {
		case h264.NALUTypeNonIDR, h264.NALUTypeDataPartitionA, h264.NALUTypeIDR:
			return true
		}
	}
	return false
}
