package sim

import (
	"testing"
	"time"
)

// testLoop is a GOP-of-9 H.264 loop with 2 B-frames in x264's pattern:
// decode order I0 P3 B1 B2 P6 B4 B5 P8 B7 (presentation numbers).
func testLoop() *videoLoop {
	const p = 40 * time.Millisecond
	offs := []time.Duration{p, 3 * p, 0, 0, 3 * p, 0, 0, 2 * p, 0}
	l := &videoLoop{}
	for gop := range 2 {
		for i, off := range offs {
			l.frames = append(l.frames, loopFrame{au: [][]byte{{byte(gop), byte(i)}}, off: off, key: i == 0})
		}
	}
	return l
}

func TestLoopSourceWraps(t *testing.T) {
	const p = 40 * time.Millisecond
	s := newLoopSource(testLoop())
	var pts []time.Duration
	for n := range 3 * 18 {
		au, ts, _ := s.next(time.Time{}, int64(n), time.Duration(n)*p)
		if want := byte(n % 9); au[0][1] != want {
			t.Fatalf("frame %d is loop position %d, want %d", n, au[0][1], want)
		}
		pts = append(pts, ts)
	}
	// Presentation times, sorted, are every frame period once: the loop
	// joins without gap or overlap.
	seen := map[time.Duration]bool{}
	for _, ts := range pts {
		if seen[ts] || ts%p != 0 {
			t.Fatalf("pts %v repeated or off the frame grid", ts)
		}
		seen[ts] = true
	}
	for ts := p; ts < time.Duration(len(pts))*p; ts += p {
		if !seen[ts] {
			t.Fatalf("no frame shown at %v", ts)
		}
	}
}

func TestLoopSourceJumpsToKeyframe(t *testing.T) {
	const p = 40 * time.Millisecond
	for start := range 9 {
		s := newLoopSource(testLoop())
		var last time.Duration
		n := 0
		for ; n < start; n++ {
			_, ts, _ := s.next(time.Time{}, int64(n), time.Duration(n)*p)
			last = max(last, ts)
		}
		s.requestKey()
		// The keyframe is the next frame sent, within a mini-GOP (3 frame
		// periods), and after every picture already sent in presentation
		// order.
		for waited := 0; ; waited++ {
			au, ts, ok := s.next(time.Time{}, int64(n), time.Duration(n)*p)
			n++
			if ok && au[0][1] != 0 {
				t.Fatalf("from %d: sent position %d before the keyframe", start, au[0][1])
			}
			if ok {
				if ts <= last {
					t.Errorf("from %d: keyframe at %v, not after %v", start, ts, last)
				}
				if au[0][0] != 1 && start != 0 {
					t.Errorf("from %d: went back to this GOP's keyframe", start)
				}
				break
			}
			if waited >= 3 {
				t.Fatalf("from %d: no keyframe after %d frames", start, waited)
			}
		}
	}
}

func TestLoopFrames(t *testing.T) {
	for _, tc := range []struct{ fps, gop, want int }{
		{25, 50, 100}, {25, 10, 100}, {25, 30, 120}, {25, 250, 500}, {10, 7, 42},
	} {
		if got := loopFrames(tc.fps, tc.gop); got != tc.want {
			t.Errorf("fps %d gop %d: %d frames, want %d", tc.fps, tc.gop, got, tc.want)
		}
	}
}

func TestAudioSourcePacing(t *testing.T) {
	l, release, err := acquireAudioLoop("PCMA")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	a := &audioSource{loop: l}
	count := func(upTo time.Duration) (n int, last time.Duration) {
		for {
			_, pts, ok := a.next(upTo)
			if !ok {
				return n, last
			}
			n++
			last = pts
		}
	}
	if n, _ := count(19 * time.Millisecond); n != 0 {
		t.Fatalf("%d frames before the first was captured", n)
	}
	total := 0
	var last time.Duration
	for tick := 40 * time.Millisecond; tick <= time.Second; tick += 40 * time.Millisecond {
		n, l := count(tick)
		total, last = total+n, l
	}
	if total != 50 || last != 980*time.Millisecond {
		t.Fatalf("first second: %d frames, last at %v; want 50, 980ms", total, last)
	}
	// A camera stalled for 10 s skips ahead instead of bursting.
	if n, last := count(11 * time.Second); n > 26 || last != 11*time.Second-20*time.Millisecond {
		t.Fatalf("after a stall: %d frames, last at %v", n, last)
	}
}

// A camera late on its ticks skips frame numbers; with B-frames that must
// not make a picture share its presentation time with another or show out
// of its order: inside a GOP decode times stay a frame apart, and the
// timeline catches up with the wall clock at the keyframe.
func TestLoopSourceLateTicksKeepPresentationOrder(t *testing.T) {
	const p = 40 * time.Millisecond
	l := testLoop()
	l.track.Reordered = true
	s := newLoopSource(l)
	s.period = p
	seen := map[time.Duration]bool{}
	var lastKey time.Duration
	n := int64(0)
	for i := range 3 * 18 {
		if i%5 == 4 {
			n += 2 // a late tick: the wall clock skipped a frame number
		} else {
			n++
		}
		au, ts, _ := s.next(time.Time{}, n, time.Duration(n)*p)
		if seen[ts] || ts%p != 0 {
			t.Fatalf("frame %d: pts %v repeated or off the frame grid", i, ts)
		}
		seen[ts] = true
		if au[0][1] == 0 {
			if ts <= lastKey {
				t.Fatalf("keyframe %d at %v, not after the last at %v", i, ts, lastKey)
			}
			lastKey = ts
		}
	}
}
