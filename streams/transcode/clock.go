package transcode

import "time"

// MPEG-TS timestamps count a 90 kHz clock in 33 bits.
const (
	tsClock = 90000
	tsMask  = 1<<33 - 1

	// ffmpegOrigin is where a session's timeline starts on ffmpeg's clock.
	// The DTS of a reordered picture lies a few frames before its PTS, and
	// the MPEG-TS field cannot be negative, so the first DTS starts well
	// clear of zero.
	ffmpegOrigin = 10 * tsClock
)

func toTicks(d time.Duration) int64 { return int64(d) * tsClock / int64(time.Second) }

func fromTicks(t int64) time.Duration { return time.Duration(t * int64(time.Second) / tsClock) }

// maxShift is how far ffmpeg may move the first frame's timestamp before
// the clock stops trusting -copyts and re-anchors.
const maxShift = time.Second

// sessionClock maps the input hub's timeline onto what one ffmpeg process
// sees and back. ffmpeg runs with -copyts and -muxdelay 0, so a frame leaves
// with the timestamps it came in with: the mapping back is the exact inverse,
// and the output lands on the input's timeline without guessing offsets.
// Should an ffmpeg build shift them anyway (older ones add the mux delay),
// the first output, which is the first keyframe written, pins the offset.
type sessionClock struct {
	base     time.Duration // input time written as ffmpegOrigin
	firstPTS time.Duration // PTS of the first unit written

	unwrapped bool
	last      int64         // last output DTS, unwrapped
	offset    time.Duration // ffmpeg's shift, taken back
}

func newSessionClock(first frame) *sessionClock {
	return &sessionClock{base: first.dts, firstPTS: first.pts}
}

// toFFmpeg converts an input time to a 33-bit MPEG-TS timestamp.
func (c *sessionClock) toFFmpeg(t time.Duration) int64 {
	return (toTicks(t-c.base) + ffmpegOrigin) & tsMask
}

// fromFFmpeg converts ffmpeg's output timestamps back to input time. The
// 33-bit clock wraps after 26.5 hours: DTS is unwrapped against the previous
// one, and PTS is taken as a signed distance from its DTS.
func (c *sessionClock) fromFFmpeg(pts, dts int64) (time.Duration, time.Duration) {
	first := !c.unwrapped
	if first {
		c.unwrapped = true
		c.last = dts
	} else {
		c.last += signed33(dts - c.last)
	}
	p := c.base + fromTicks(c.last+signed33(pts-dts)-ffmpegOrigin)
	d := c.base + fromTicks(c.last-ffmpegOrigin)
	if shift := p - c.firstPTS; first && (shift > maxShift || shift < -maxShift) {
		c.offset = shift
	}
	return p - c.offset, d - c.offset
}

// signed33 reads a difference of two 33-bit timestamps as the shortest
// signed step between them.
func signed33(d int64) int64 {
	d &= tsMask
	if d > tsMask/2 {
		d -= tsMask + 1
	}
	return d
}
