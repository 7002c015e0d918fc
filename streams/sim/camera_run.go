package sim

import (
	"context"
	"time"

	"vigil/streams/media"
)

// run ticks at the frame rate. Frame numbers (and so timestamps) follow
// the wall clock: a late tick skips numbers instead of drifting, and
// decode times stay exact multiples of the frame period.
func (c *Camera) run(ctx context.Context) {
	defer close(c.done)
	period := time.Second / time.Duration(c.opts.FPS)
	t := time.NewTicker(period)
	defer t.Stop()
	start := time.Now()
	c.frame(start, 0, 0)
	last := int64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			n := max(last+1, int64(now.Sub(start)/period))
			last = n
			c.frame(now, n, now.Sub(start))
		}
	}
}

// frame sends frame n of both streams and the audio due elapsed after
// the start.
func (c *Camera) frame(now time.Time, n int64, elapsed time.Duration) {
	dts := time.Duration(n) * time.Second / time.Duration(c.opts.FPS)
	g := Garbage(c.garbage.Load())
	if c.wantIDR.Swap(false) {
		c.main.src.requestKey()
		c.sub.src.requestKey()
	}
	if g != c.lastGarbage {
		// Entering or leaving a garbage mode: the next clean picture is a
		// keyframe, so readers resynchronise.
		c.main.src.requestKey()
		c.sub.src.requestKey()
		c.lastGarbage = g
	}
	if g != GarbageOff {
		c.misbehaved.Add(1)
	}
	switch f := c.applyFault(); {
	case f == FaultStall:
		c.stalled.Add(1)
		return // the session stays open, nothing comes
	case f == FaultThin && n%thinEvery != 0:
		c.sendAudio(elapsed) // the sound goes on
		return
	}
	c.send(&c.main, now, n, dts, g)
	c.send(&c.sub, now, n, dts, g)
	c.sendAudio(elapsed)
}

// applyFault hands a changed fault to the video sources and returns the
// fault in force. Leaving a fault starts again with a keyframe, as the
// camera's encoder restarting would.
func (c *Camera) applyFault() Fault {
	f := c.Fault()
	if f == c.lastFault {
		return f
	}
	for _, s := range []*cameraStream{&c.main, &c.sub} {
		s.src.show(f.picture())
		s.src.requestKey()
	}
	c.lastFault = f
	return f
}

func (c *Camera) send(s *cameraStream, now time.Time, n int64, dts time.Duration, g Garbage) {
	var err error
	switch {
	case g == GarbageRandom:
		err = c.out.WriteRTPPayloads(s.path, dts, randomPayloads(c.rnd))
	case g == GarbageOversized && n%int64(c.opts.FPS) == 0:
		s.src.requestKey()
		if c.big == nil {
			c.big = oversizedNALU(c.opts.Codec)
		}
		err = c.out.WriteAccessUnit(s.path, dts, [][]byte{c.big})
	default:
		au, pts, ok := s.src.next(now, n, dts)
		if !ok {
			return
		}
		if s.tag {
			if tag := c.opts.Tag(n, time.Now()); len(tag) > 0 {
				au = withTag(au, tag, c.opts.Codec)
			}
		}
		if g == GarbageTruncatedFUA {
			err = c.out.WriteRTPPayloads(s.path, pts, truncatedFU(au, c.opts.Codec))
		} else {
			err = c.out.WriteAccessUnit(s.path, pts, au)
		}
		if err == nil && s == &c.main {
			c.lastSent.Store(now.UnixNano())
		}
	}
	if err != nil {
		// Stopped ("rebooting"): start with a keyframe when it is back, as
		// a camera does after boot.
		s.src.requestKey()
	}
}

// sendAudio sends every audio frame due by elapsed, one packet each as
// cameras do. Frames due while the server is stopped are dropped.
func (c *Camera) sendAudio(elapsed time.Duration) {
	if c.audio == nil {
		return
	}
	for {
		frame, pts, ok := c.audio.next(elapsed)
		if !ok {
			return
		}
		_ = c.out.WriteAudio(c.main.path, pts, [][]byte{frame})
	}
}

// withTag returns a new access unit (loop access units are shared) with
// tag after the leading delimiter and parameter sets, where encoders put
// their SEI (x264: SPS, PPS, SEI, IDR). An SEI before the parameter sets
// is legal but unusual, and go2rtc drops an SEI that starts an access unit.
func withTag(au [][]byte, tag []byte, codec media.Codec) [][]byte {
	i := 0
	for i < len(au) && len(au[i]) > 0 && leadingNAL(au[i][0], codec) {
		i++
	}
	out := make([][]byte, 0, len(au)+1)
	out = append(append(append(out, au[:i]...), tag), au[i:]...)
	return out
}

// leadingNAL tells whether a NAL unit (by its first header byte) is one
// that comes before an SEI: access unit delimiter or parameter set.
func leadingNAL(header byte, codec media.Codec) bool {
	if codec == media.CodecH265 {
		t := header >> 1 & 0x3f
		return t >= 32 && t <= 35 // VPS, SPS, PPS, AUD
	}
	t := header & 0x1f
	return t == 7 || t == 8 || t == 9 // SPS, PPS, AUD
}
