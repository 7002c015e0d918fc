package nalu

import (
	"time"

	"vigil/streams/clock"
	"vigil/streams/media"
)

// Kind is what a NAL unit is to a normalizer. A Codec tells it from the
// unit's header; what the normalizer does with each kind is the same rule
// for H.264 and H.265.
type Kind uint8

const (
	// KindBroken has no place in an access unit (unspecified, reserved, or
	// RTP packaging that depacketization should have undone): dropped and
	// counted as Broken.
	KindBroken Kind = iota
	// KindUseless carries nothing any output needs (access unit
	// delimiter, filler data): dropped. WebRTC decoders choke on some AUDs.
	KindUseless
	// KindVPS, KindSPS and KindPPS are parameter sets: learned, and taken
	// out of the unit (a keyframe gets the sets in force put back first).
	KindVPS
	KindSPS
	KindPPS
	// KindSlice is coded picture data: a unit without any is dropped.
	KindSlice
	// KindKeySlice is a slice of a picture that decodes on its own (H.264
	// IDR, H.265 IRAP): its unit is a keyframe.
	KindKeySlice
	// KindOther (SEI, data partitions B and C, end of sequence...) is kept
	// in place.
	KindOther
)

// Codec describes H.264 or H.265 to the Normalizer. Implementations are
// empty structs, so that a zero Normalizer[C] is ready to use.
type Codec interface {
	// Media names the codec in the track.
	Media() media.Codec
	// HasVPS reports whether a keyframe needs a VPS before its SPS and PPS.
	HasVPS() bool
	// Kind tells what u is. u is not empty and its forbidden bit is clear.
	Kind(u []byte) Kind
	// PictureSize parses an SPS and returns the picture size it declares.
	PictureSize(sps []byte) (width, height int, err error)
	// NewExtractor makes the codec's decoding-time extractor.
	NewExtractor() DTSExtractor
}

// Normalizer turns the raw access units of one camera into
// media.AccessUnits: broken and oversized NAL units are dropped and
// counted, parameter sets are learned (SetParams or in-band) and put before
// every keyframe, a keyframe whose sets are unknown is dropped and counted,
// delimiters and filler are dropped, a unit without a slice is dropped, and
// the rest is stamped on a monotonic timeline (Stamper). It is not safe for
// concurrent use: one source goroutine owns it.
type Normalizer[C Codec] struct {
	// MaxNALUSize overrides DefaultMaxSize when positive.
	MaxNALUSize int

	codec    C
	params   Params
	stamp    Stamper
	counters Counters
}

// SetClock makes the normalizer continue the timeline c (nil: its own).
func (n *Normalizer[C]) SetClock(c *clock.Clock) { n.stamp.Clock = c }

// SetParams seeds the parameter sets, from the SDP for example. Empty
// values are ignored; vps is H.265's only.
func (n *Normalizer[C]) SetParams(vps, sps, pps []byte) {
	n.params.Learn(&n.params.VPS, vps)
	n.learnSPS(sps)
	n.params.Learn(&n.params.PPS, pps)
}

// Reconnected tells the normalizer that a new session began, so the next
// timestamp continues from the last one instead of the camera's new clock.
func (n *Normalizer[C]) Reconnected() { n.stamp.Reset() }

// Track returns the video track as currently known, and whether it changed
// since the last call.
func (n *Normalizer[C]) Track() (media.Track, bool) {
	return n.params.Track(n.codec.Media(), n.stamp.Reordered())
}

// Counters returns what was dropped so far.
func (n *Normalizer[C]) Counters() Counters { return n.counters }

// Normalize converts one access unit with its RTP-derived timestamp (90 kHz
// ticks, already unwrapped by the RTP layer) received at wall time now. It
// returns nil when nothing decodable is left. The unit's NAL units are
// passed on, not copied.
func (n *Normalizer[C]) Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit {
	// Room for the parameter sets first, so that a keyframe gets them
	// without a second slice.
	sets := n.setCount()
	out := make([][]byte, sets, sets+len(nalus))
	key, slice := false, false
	for _, u := range nalus {
		if !n.counters.CheckSize(u, n.MaxNALUSize) {
			continue
		}
		switch n.codec.Kind(u) {
		case KindBroken:
			n.counters.Broken++
		case KindUseless:
		case KindVPS:
			n.params.Learn(&n.params.VPS, u)
		case KindSPS:
			n.learnSPS(u)
		case KindPPS:
			n.params.Learn(&n.params.PPS, u)
		case KindKeySlice:
			key, slice = true, true
			out = append(out, u)
		case KindSlice:
			slice = true
			out = append(out, u)
		default:
			out = append(out, u)
		}
	}
	if !slice {
		return nil
	}
	if !key {
		out = out[sets:]
	} else if !n.putParams(out[:sets]) {
		n.counters.NoParamSets++
		return nil
	}
	return n.stampUnit(out, pts90k, key, now)
}

// setCount is how many parameter sets a keyframe starts with.
func (n *Normalizer[C]) setCount() int {
	if n.codec.HasVPS() {
		return 3
	}
	return 2
}

// putParams fills dst with the sets in force, in decoding order, and
// reports whether all of them are known.
func (n *Normalizer[C]) putParams(dst [][]byte) bool {
	p := &n.params
	if n.codec.HasVPS() {
		dst[0] = p.VPS
	}
	dst[len(dst)-2], dst[len(dst)-1] = p.SPS, p.PPS
	for _, set := range dst {
		if set == nil {
			return false
		}
	}
	return true
}

// stampUnit gives the unit its times; a stream just found reordered
// changes the track.
func (n *Normalizer[C]) stampUnit(nalus [][]byte, pts90k int64, key bool, now time.Time) *media.AccessUnit {
	if n.stamp.NewExtractor == nil {
		n.stamp.NewExtractor = n.codec.NewExtractor
	}
	pts, dts, newly := n.stamp.Stamp(nalus, pts90k, key, now, &n.counters)
	if newly {
		n.params.Changed()
	}
	return &media.AccessUnit{PTS: pts, DTS: dts, Received: now, NALUs: nalus, Key: key}
}

func (n *Normalizer[C]) learnSPS(sps []byte) {
	if n.params.LearnSPS(sps, n.codec.PictureSize, &n.counters) {
		n.stamp.Renew() // a new SPS may end B-frames; the next units tell
	}
}
