package rtsp

import (
	"fmt"
	"time"

	"github.com/pion/rtp"
)

// videoPath depacketizes a pull's video: the frames its TCP connection
// takes out of what gortsplib reads (interleaved.go), on gortsplib's
// reading goroutine, and the packets gortsplib reads itself (over UDP, or
// before the video was taken out), through one clock and one
// depacketizer (depacketize.go), which copies what it keeps.
type videoPath struct {
	channel     int   // the interleaved channel of the video's RTP
	payloadType uint8 // of the pulled format
	decode      func(*rtp.Packet) ([][]byte, error)
	// startsClock tells a packet whose timestamp is its unit's decoding
	// time (format.PTSEqualsDTS): the clock starts at the first such
	// packet and those before it are dropped, as gortsplib's PacketPTS
	// does.
	startsClock func(*rtp.Packet) bool
	h           Handler

	pkt   rtp.Packet // reused: the depacketizer keeps no packet
	clock rtpClock
}

// onFrame handles the payload of one interleaved frame of the video
// channel. frame is valid only during the call, which the depacketizer
// allows.
func (v *videoPath) onFrame(frame []byte) {
	if err := v.pkt.Unmarshal(frame); err != nil {
		v.h.OnDecodeError(fmt.Errorf("video RTP packet: %w", err))
		return
	}
	if v.pkt.PayloadType != v.payloadType {
		v.h.OnDecodeError(fmt.Errorf("video RTP packet of payload type %d, want %d", v.pkt.PayloadType, v.payloadType))
		return
	}
	v.onPacket(&v.pkt)
}

// onPacket handles a video packet: one of onFrame's, or one gortsplib
// read (over UDP, or over TCP before the video was taken out of its
// stream). Both go through one clock and one depacketizer, which needs
// the payload only during the call.
func (v *videoPath) onPacket(pkt *rtp.Packet) {
	if !v.clock.started && !v.startsClock(pkt) {
		return
	}
	pts := v.clock.ticks(pkt.Timestamp)
	nalus, err := v.decode(pkt)
	switch {
	case err == nil:
		v.h.OnAccessUnit(nalus, pts, time.Now())
	case !isIncomplete(err):
		v.h.OnDecodeError(err)
	}
}

// rtpClock unwraps 32-bit RTP timestamps into ticks counted from the
// first, as gortsplib's PacketPTS does for the first track of a session:
// a step back or forward of up to 2^31 ticks is taken as such.
type rtpClock struct {
	started bool
	last    uint32
	total   int64
}

func (c *rtpClock) ticks(ts uint32) int64 {
	if c.started {
		c.total += int64(int32(ts - c.last))
	}
	c.started, c.last = true, ts
	return c.total
}
