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
)

// DefaultMaxNALUSize bounds one NAL unit, as for H.264.
const DefaultMaxNALUSize = 4 << 20

// Counters count what the normalizer had to throw away.
type Counters struct {
	BrokenNALUs   uint64 // empty, forbidden bit set, or an RTP-only type
	OversizeNALUs uint64
	NoParamSets   uint64 // random-access picture dropped: no VPS/SPS/PPS known yet
	BadSPS        uint64
	Rebases       uint64
	BadDTS        uint64
}

// Normalizer turns raw H.265 access units of one camera into
// media.AccessUnits. One source goroutine owns it.
type Normalizer struct {
	// MaxNALUSize overrides DefaultMaxNALUSize when positive.
	MaxNALUSize int

	vps, sps, pps []byte
	track         media.Track
	changed       bool

	// Clock, when set, is the timeline to continue: a source keeps one per
	// hub, so a camera that comes back with another codec continues it.
	Clock    *clock.Clock
	own      clock.Clock
	dts      h265.DTSExtractor
	dtsReady bool
	counters Counters
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
func (n *Normalizer) Reconnected() {
	n.clk().Reset()
	n.dtsReady = false
}

// Track returns the track as currently known, and whether it changed since
// the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	c := n.changed
	n.changed = false
	t := n.track
	t.Codec = media.CodecH265
	t.VPS, t.SPS, t.PPS = n.vps, n.sps, n.pps
	return t, c
}

// Counters returns what was dropped so far.
func (n *Normalizer) Counters() Counters { return n.counters }

// Normalize converts one access unit with its timestamp in 90 kHz ticks,
// received at wall time now. It returns nil when nothing decodable is left.
func (n *Normalizer) Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit {
	out := make([][]byte, 0, len(nalus)+3)
	key := false
	for _, nalu := range nalus {
		if !n.validNALU(nalu) {
			continue
		}
		switch typ := naluType(nalu); {
		case typ == h265.NALUType_VPS_NUT:
			n.learn(&n.vps, nalu)
		case typ == h265.NALUType_SPS_NUT:
			n.learnSPS(nalu)
		case typ == h265.NALUType_PPS_NUT:
			n.learn(&n.pps, nalu)
		case typ == h265.NALUType_AUD_NUT, typ == h265.NALUType_FD_NUT:
			// Useless to every output.
		case typ >= h265.NALUType_BLA_W_LP && typ <= h265.NALUType_RSV_IRAP_VCL23:
			key = true
			out = append(out, nalu)
		default:
			out = append(out, nalu)
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
	dts90k := n.decodingTime(out, pts90k, key)
	dts := n.clk().Map(dts90k, 90000, now)
	n.counters.Rebases = n.clk().Rebases()
	return &media.AccessUnit{
		PTS:      dts + time.Duration(pts90k-dts90k)*time.Second/90000,
		DTS:      dts,
		Received: now,
		NALUs:    out,
		Key:      key,
	}
}

func (n *Normalizer) clk() *clock.Clock {
	if n.Clock != nil {
		return n.Clock
	}
	return &n.own
}

// decodingTime derives the unit's decoding time from its picture order
// (see avc.Normalizer.decodingTime).
func (n *Normalizer) decodingTime(nalus [][]byte, pts90k int64, key bool) int64 {
	if !n.dtsReady {
		if !key {
			return pts90k
		}
		n.dts = h265.DTSExtractor{}
		n.dts.Initialize()
		n.dtsReady = true
	}
	dts, err := n.dts.Extract(nalus, pts90k)
	if err != nil {
		n.counters.BadDTS++
		n.dtsReady = false
		return pts90k
	}
	if dts != pts90k && !n.track.Reordered {
		n.track.Reordered = true
		n.changed = true
	}
	return dts
}

func naluType(nalu []byte) h265.NALUType { return h265.NALUType((nalu[0] >> 1) & 0x3f) }

func (n *Normalizer) validNALU(nalu []byte) bool {
	max := n.MaxNALUSize
	if max <= 0 {
		max = DefaultMaxNALUSize
	}
	switch {
	case len(nalu) < 2, nalu[0]&0x80 != 0:
		n.counters.BrokenNALUs++
		return false
	case len(nalu) > max:
		n.counters.OversizeNALUs++
		return false
	}
	// Aggregation, fragmentation and PACI units are RTP packaging that
	// must never survive depacketization; 41-47 and 51+ are reserved.
	if typ := naluType(nalu); typ > h265.NALUType_SUFFIX_SEI_NUT {
		n.counters.BrokenNALUs++
		return false
	}
	return true
}

func (n *Normalizer) learn(dst *[]byte, nalu []byte) {
	if len(nalu) > 0 && !bytes.Equal(nalu, *dst) {
		*dst = bytes.Clone(nalu)
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
	n.sps = bytes.Clone(sps)
	n.track.Reordered = false
	n.track.Width = parsed.Width()
	n.track.Height = parsed.Height()
	n.changed = true
}

// hasSlice reports whether the unit holds a coded picture: a VCL NAL unit
// (types 0-31).
func hasSlice(nalus [][]byte) bool {
	for _, nalu := range nalus {
		if naluType(nalu) < h265.NALUType_VPS_NUT {
			return true
		}
	}
	return false
}
