// Package media holds the types every part of the media path shares. It
// imports nothing of the project, so sources, the hub and every output can
// depend on it without cycles.
package media

import "time"

// AccessUnit is one coded picture or one audio frame. Access units are
// shared by all readers of a hub and must never be modified after they are
// published.
type AccessUnit struct {
	// PTS is the presentation time on the camera's normalized clock: it starts
	// near zero and keeps growing across reconnects and RTP timestamp
	// wrap-around. Without B-frames it only grows.
	PTS time.Duration

	// DTS is the decoding time; it only grows. It equals PTS unless the
	// track is Reordered.
	DTS time.Duration

	// Received is the wall-clock time the last packet of the unit arrived.
	Received time.Time

	// NALUs are a picture's NAL units in decoding order, without start
	// codes; a keyframe carries its parameter sets first. For audio, they
	// are the codec frames of the unit (AAC access units, Opus packets,
	// G.711 sample blocks).
	NALUs [][]byte

	// Key is true for a picture a decoder can start from (H.264 IDR,
	// H.265 IRAP) and for every audio unit.
	Key bool

	annexB  annexB
	derived derived
}

// Size is the total payload size of the unit in bytes.
func (au *AccessUnit) Size() int {
	n := 0
	for _, nalu := range au.NALUs {
		n += len(nalu)
	}
	return n
}
