package rtsp

import (
	"bytes"
	"fmt"
	"time"

	"github.com/pion/rtp"
)

// videoPath depacketizes a pull's video: the frames its TCP connection
// takes out of what gortsplib reads (interleaved.go), on gortsplib's
// reading goroutine, and the packets gortsplib reads itself (over UDP, or
// before the video was taken out), through one clock and one
// depacketizer (gortsplib's rtph264 or rtph265).
type videoPath struct {
	channel     int   // the interleaved channel of the video's RTP
	payloadType uint8 // of the pulled format
	decode      func(*rtp.Packet) ([][]byte, error)
	// fragment tells a fragmentation unit's payload (FU-A, H.265 FU) and
	// whether it starts a NAL unit.
	fragment func(payload []byte) (fu, start bool)
	// startsClock tells a packet whose timestamp is its unit's decoding
	// time (format.PTSEqualsDTS): the clock starts at the first such
	// packet and those before it are dropped, as gortsplib's PacketPTS
	// does.
	startsClock func(*rtp.Packet) bool
	h           Handler

	pkt   rtp.Packet // reused: the depacketizer keeps payloads, not packets
	frags []byte     // the fragments of the NAL unit being put together (keep)
	clock rtpClock
}

// onFrame handles the payload of one interleaved frame of the video
// channel. frame is valid only during the call.
func (v *videoPath) onFrame(frame []byte) {
	if err := v.pkt.Unmarshal(frame); err != nil {
		v.h.OnDecodeError(fmt.Errorf("video RTP packet: %w", err))
		return
	}
	if v.pkt.PayloadType != v.payloadType {
		v.h.OnDecodeError(fmt.Errorf("video RTP packet of payload type %d, want %d", v.pkt.PayloadType, v.payloadType))
		return
	}
	v.pkt.Payload = v.keep(v.pkt.Payload)
	v.onPacket(&v.pkt)
}

// onPacket handles a video packet whose payload stays valid: one of
// onFrame's, or one gortsplib read (over UDP, or over TCP before the
// video was taken out of its stream). Both go through one clock and one
// depacketizer.
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

// keep copies a payload out of the connection's read buffer, which the
// next read overwrites, for the depacketizer to keep. The fragments of a
// NAL unit are kept only until its last one comes, when the depacketizer
// joins them into a buffer of its own: they are copied one after another
// into frags, reused from each NAL unit's first fragment (the
// depacketizer drops what it held then, too). Other payloads become NAL
// units of access units as they are, kept in the GOP cache for seconds,
// so each gets memory of its own: one buffer for all would be held by
// its smallest part.
func (v *videoPath) keep(b []byte) []byte {
	fu, start := v.fragment(b)
	if !fu {
		return bytes.Clone(b)
	}
	if start {
		v.frags = v.frags[:0]
	}
	from := len(v.frags)
	v.frags = append(v.frags, b...)
	return v.frags[from:len(v.frags):len(v.frags)]
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
