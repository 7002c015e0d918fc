// Package avc normalizes H.264 (AVC) access units coming from cameras:
// broken and oversized NAL units are dropped and counted, parameter sets are
// learned (from the SDP or in-band) and put before every IDR, decoding
// times are derived (B-frames send pictures out of display order), and
// timestamps are made monotonic across RTP wrap-around and reconnects.
package avc

import (
	"bytes"
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

	sps, pps []byte
	track    media.Track
	changed  bool

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
	if len(sps) > 0 {
		n.learnSPS(sps)
	}
	if len(pps) > 0 && !bytes.Equal(pps, n.pps) {
		n.pps = bytes.Clone(pps)
		n.changed = true
	}
}

// Reconnected tells the normalizer that a new session began, so the next
// timestamp continues from the last one instead of the camera's new clock.
func (n *Normalizer) Reconnected() { n.stamp.Reset() }

// Track returns the video track as currently known, and whether it changed
// since the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	c := n.changed
	n.changed = false
	t := n.track
	t.Codec = media.CodecH264
	t.SPS, t.PPS = n.sps, n.pps
	t.Reordered = n.stamp.Reordered()
	return t, c
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
			if !bytes.Equal(u, n.pps) {
				n.pps = bytes.Clone(u)
				n.changed = true
			}
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
	if key {
		if n.sps == nil || n.pps == nil {
			n.counters.NoParamSets++
			return nil
		}
		// Parameter sets go first, before SEI and slices, so that every
		// keyframe can be decoded on its own.
		out = append([][]byte{n.sps, n.pps}, out...)
	}
	if n.stamp.NewExtractor == nil {
		n.stamp.NewExtractor = newExtractor
	}
	pts, dts, newly := n.stamp.Stamp(out, pts90k, key, now, &n.counters)
	n.changed = n.changed || newly
	return &media.AccessUnit{PTS: pts, DTS: dts, Received: now, NALUs: out, Key: key}
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
	if bytes.Equal(sps, n.sps) {
		return
	}
	var parsed h264.SPS
	if err := parsed.Unmarshal(sps); err != nil {
		n.counters.BadSPS++
		return
	}
	if !n.counters.CheckPictureSize(parsed.Width(), parsed.Height()) {
		return
	}
	n.sps = bytes.Clone(sps)
	n.stamp.Renew() // a new SPS may end B-frames; the next units tell
	n.track.Width = parsed.Width()
	n.track.Height = parsed.Height()
	n.changed = true
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
