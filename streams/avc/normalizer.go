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
)

// DefaultMaxNALUSize bounds one NAL unit. A 4K IDR is 1–2 MB; anything far
// beyond is a broken or hostile camera.
const DefaultMaxNALUSize = 4 << 20

// Counters count what the normalizer had to throw away.
type Counters struct {
	BrokenNALUs   uint64 // empty, forbidden bit set or a type that has no place in an access unit
	OversizeNALUs uint64
	NoParamSets   uint64 // IDR dropped because no SPS/PPS was known yet
	BadSPS        uint64 // SPS that did not parse
	Rebases       uint64 // timestamp jumps that were smoothed
	BadDTS        uint64 // decoding time not derivable; the unit was sent with DTS = PTS
}

// Normalizer turns raw access units of one camera into media.AccessUnits.
// It is not safe for concurrent use: one source goroutine owns it.
type Normalizer struct {
	// MaxNALUSize overrides DefaultMaxNALUSize when positive.
	MaxNALUSize int

	sps, pps []byte
	track    media.Track
	changed  bool

	// Clock, when set, is the timeline to continue: a source keeps one per
	// hub, so a camera that comes back with another codec continues it.
	Clock    *clock.Clock
	own      clock.Clock
	dts      h264.DTSExtractor
	dtsReady bool
	counters Counters
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
func (n *Normalizer) Reconnected() {
	n.clk().Reset()
	n.dtsReady = false // the camera's picture order restarts with its next IDR
}

// Track returns the video track as currently known, and whether it changed
// since the last call.
func (n *Normalizer) Track() (media.Track, bool) {
	c := n.changed
	n.changed = false
	t := n.track
	t.Codec = media.CodecH264
	t.SPS, t.PPS = n.sps, n.pps
	return t, c
}

// Counters returns what was dropped so far.
func (n *Normalizer) Counters() Counters { return n.counters }

// Normalize converts one access unit with its RTP-derived timestamp (90 kHz
// ticks, already unwrapped by the RTP layer) received at wall time now. It
// returns nil when nothing decodable is left.
func (n *Normalizer) Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit {
	out := make([][]byte, 0, len(nalus)+2)
	key := false
	for _, nalu := range nalus {
		if !n.validNALU(nalu) {
			continue
		}
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeSPS:
			n.learnSPS(nalu)
		case h264.NALUTypePPS:
			if !bytes.Equal(nalu, n.pps) {
				n.pps = bytes.Clone(nalu)
				n.changed = true
			}
		case h264.NALUTypeAccessUnitDelimiter, h264.NALUTypeFillerData:
			// Useless to every output; WebRTC decoders choke on some AUDs.
		case h264.NALUTypeIDR:
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
		if n.sps == nil || n.pps == nil {
			n.counters.NoParamSets++
			return nil
		}
		// Parameter sets go first, before SEI and slices, so that every
		// keyframe can be decoded on its own.
		out = append([][]byte{n.sps, n.pps}, out...)
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

// decodingTime derives the unit's decoding time from its picture order.
// Without B-frames it is the presentation time; with them it lags behind,
// and the track is marked Reordered for the outputs that cannot carry that.
func (n *Normalizer) decodingTime(nalus [][]byte, pts90k int64, key bool) int64 {
	if !n.dtsReady {
		if !key {
			return pts90k
		}
		n.dts = h264.DTSExtractor{}
		n.dts.Initialize()
		n.dtsReady = true
	}
	dts, err := n.dts.Extract(nalus, pts90k)
	if err != nil {
		// Unparsable slice header or a broken camera clock: start over at
		// the next IDR rather than publish a decoding time that goes back.
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

func (n *Normalizer) validNALU(nalu []byte) bool {
	max := n.MaxNALUSize
	if max <= 0 {
		max = DefaultMaxNALUSize
	}
	switch {
	case len(nalu) == 0, nalu[0]&0x80 != 0:
		n.counters.BrokenNALUs++
		return false
	case len(nalu) > max:
		n.counters.OversizeNALUs++
		return false
	}
	typ := h264.NALUType(nalu[0] & 0x1f)
	// 0 is unspecified; 24 and above are RTP aggregation and fragmentation
	// units that must never survive depacketization.
	if typ == 0 || typ >= 24 {
		n.counters.BrokenNALUs++
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
	n.sps = bytes.Clone(sps)
	n.track.Reordered = false // a new SPS may end B-frames; the next units tell
	n.track.Width = parsed.Width()
	n.track.Height = parsed.Height()
	n.changed = true
}

// hasSlice reports whether the unit holds a coded picture (slice data).
func hasSlice(nalus [][]byte) bool {
	for _, nalu := range nalus {
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeNonIDR, h264.NALUTypeDataPartitionA, h264.NALUTypeIDR:
			return true
		}
	}
	return false
}
