package transcode

import (
	"testing"
	"time"
)

func TestSessionClockRoundTrip(t *testing.T) {
	c := newSessionClock(frame{pts: ms(123456), dts: ms(123456)})
	for _, in := range []time.Duration{ms(123456), ms(123456 + 40), ms(123456 + 3600_000)} {
		ts := c.toFFmpeg(in)
		pts, dts := c.fromFFmpeg(ts, ts)
		if d := pts - in; d < -20*time.Microsecond || d > 20*time.Microsecond || pts != dts {
			t.Fatalf("%v came back as %v/%v", in, pts, dts)
		}
	}
}

// ffmpeg's 33-bit timestamps wrap after 26.5 h: the output keeps growing.
func TestSessionClockUnwraps(t *testing.T) {
	start := int64(tsMask - tsClock) // one second before the wrap
	c := newSessionClock(frame{pts: fromTicks(start - ffmpegOrigin), dts: fromTicks(start - ffmpegOrigin)})
	p0, _ := c.fromFFmpeg(start, start)
	p1, d1 := c.fromFFmpeg((start+2*tsClock)&tsMask, (start+2*tsClock-3600)&tsMask)
	if p1-p0 != 2*time.Second || p1-d1 != 40*time.Millisecond {
		t.Fatalf("across the wrap: %v then %v (DTS %v)", p0, p1, d1)
	}
}

// An ffmpeg that shifts timestamps despite -copyts is taken back onto the
// input's timeline at its first output.
func TestSessionClockReanchors(t *testing.T) {
	c := newSessionClock(frame{pts: ms(5080), dts: ms(5000)})
	shifted := c.toFFmpeg(ms(5080)) + 126000 // the 1.4 s of ffmpeg's default mux delay
	if pts, _ := c.fromFFmpeg(shifted, shifted); pts != ms(5080) {
		t.Fatalf("first output at %v, want 5.08s", pts)
	}
	next := c.toFFmpeg(ms(5120)) + 126000
	if pts, _ := c.fromFFmpeg(next, next); pts != ms(5120) {
		t.Fatalf("second output at %v, want 5.12s", pts)
	}
	small := newSessionClock(frame{pts: ms(5000), dts: ms(5000)})
	ts := small.toFFmpeg(ms(5200)) // a first output 200 ms in: frames dropped, no shift
	if pts, _ := small.fromFFmpeg(ts, ts); pts != ms(5200) {
		t.Fatalf("small difference re-anchored: %v", pts)
	}
}

func TestSigned33(t *testing.T) {
	if signed33(-5) != -5 || signed33(5) != 5 || signed33(tsMask) != -1 {
		t.Fatal("signed33")
	}
}
