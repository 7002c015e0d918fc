// Package media holds the types every part of the media path shares. It
// imports nothing of the project, so sources, the hub and every output can
// depend on it without cycles.
package media

import "time"

// AccessUnit is one coded picture: every NAL unit of one frame, in decoding
// order, without start codes. Access units are shared by all readers of a
// hub and must never be modified after they are published.
type AccessUnit struct {
	// PTS is the presentation time on the camera's normalized clock: it starts
	// near zero, only grows, and keeps growing across reconnects and RTP
	// timestamp wrap-around.
	PTS time.Duration

	// Received is the wall-clock time the last packet of the unit arrived.
	Received time.Time

	// NALUs are the unit's NAL units. A keyframe carries SPS and PPS first.
	NALUs [][]byte

	// Key is true for an IDR picture that a decoder can start from.
	Key bool

	annexB annexB
}

// Size is the total payload size of the unit in bytes.
func (au *AccessUnit) Size() int {
	n := 0
	for _, nalu := range au.NALUs {
		n += len(nalu)
	}
	return n
}
