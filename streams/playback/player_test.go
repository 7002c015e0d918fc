package playback

import (
	"errors"
	"testing"
	"time"

	"vigil/internal/testclock"
	"vigil/internal/testwait"
)

// A player starts at the keyframe at or before the asked time, its first
// unit carries the parameter sets, and the frames after follow in order.
func TestPlayStartsAtKeyframeBefore(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 500, 25, 100) // 20 s, 1 s GOP, 4 s segments
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: frameAt(t0, 137), Speed: 4})
	v := watch(t, p)
	first := v.next()
	if n := counterOf(first); n != 125 || !first.Key || first.NALUs[0][0]&0x1f != 7 {
		t.Fatalf("first unit: frame %d key %v", n, first.Key)
	}
	for want := 126; want < 240; want++ { // across a segment boundary (frame 200)
		if n := counterOf(v.next()); n != want {
			t.Fatalf("frame %d after %d", n, want-1)
		}
	}
	testwait.For(t, "status time of frame 239", func() bool { return !p.Status().Time.Before(frameAt(t0, 239)) })
}

// A viewer that attaches after the keyframe following the asked time was
// due (a busy machine, a WHEP negotiation) still starts at the keyframe at
// or before that time: the player waits for it. Before, the hub's cache
// held only the newest GOP, and the asked moment was never shown.
func TestALateViewerStartsAtTheKeyframeBefore(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 500, 25, 100)
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: frameAt(t0, 149)})
	testwait.For(t, "the clock past keyframe 150", func() bool {
		return p.clock.state().mediaAt(time.Now()).After(frameAt(t0, 152))
	})
	v := watch(t, p)
	if first := v.next(); counterOf(first) != 125 || !first.Key {
		t.Fatalf("a viewer attached late starts at frame %d (key %v), want keyframe 125", counterOf(first), first.Key)
	}
}

// A player sends each frame when its clock reaches the frame's time, never
// before: at 1× and 4× every frame, above 4× only keyframes. The test moves
// real time on by hand, so what must have been sent at each step is exact
// on a machine of any speed or load.
func TestSpeeds(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 1500, 25, 250)
	x := openIndex(t, root)
	const steps = 12 // of one frame's duration of real time each
	for _, speed := range []float64{1, 4, 16} {
		wall := testclock.New(time.Now())
		clock, err := NewClock(t0, speed)
		if err != nil {
			t.Fatal(err)
		}
		clock.now = wall.Now
		clock.Seek(t0) // anchored at the test's clock
		p := startPlayer(t, Options{Store: x, Camera: "cam", Start: t0, Clock: clock})
		v := watch(t, p)
		keyOnly := speed > KeyframesAbove
		last := -1
		for step := range steps + 1 {
			if step > 0 {
				wall.Advance(frameDur)
			}
			due := int(speed) * step // the last frame due: the clock shows t0 + speed × step frames
			if keyOnly {
				due -= due % 25
			}
			for last < due {
				au, ok := v.poll(testwait.Cap)
				if !ok {
					t.Fatalf("%v× at step %d: frame %d is due and was not sent", speed, step, due)
				}
				n, want := counterOf(au), last+1
				if keyOnly {
					want = last + 25
					if last < 0 {
						want = 0
					}
				}
				if n != want {
					t.Fatalf("%v× at step %d: frame %d after frame %d, want %d", speed, step, n, last, want)
				}
				last = n
			}
			if au, ok := v.poll(20 * time.Millisecond); ok {
				t.Fatalf("%v× at step %d: frame %d sent before it was due (the last due is %d)", speed, step, counterOf(au), due)
			}
		}
		p.Close()
	}
}

// A paused player sends nothing; each step sends exactly the next frame.
func TestPauseAndStep(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 500, 25, 100)
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: t0, Speed: 2})
	v := watch(t, p)
	for range 10 {
		v.next()
	}
	p.Clock().Pause()
	testwait.For(t, "the frames up to the pause sent", func() bool {
		return p.Status().Paused && p.Clock().Now().Sub(p.Status().Time) < frameDur
	})
	sent := p.Hub().Stats().Frames
	last := p.Status().Time
	// Drain what was sent before the pause.
	for range sent - 10 {
		v.next()
	}
	for i := 1; i <= 3; i++ {
		p.Step()
		au := v.next()
		if got := p.Hub().Stats().Frames; got != sent+uint64(i) {
			t.Fatalf("step %d: %d frames sent, want %d", i, got, sent+uint64(i))
		}
		if at := frameAt(t0, counterOf(au)); !at.Equal(last.Add(time.Duration(i) * frameDur)) {
			t.Fatalf("step %d showed %v, want the frame after %v", i, at, last)
		}
	}
	p.Clock().Resume()
	if n := counterOf(v.next()); !frameAt(t0, n).Equal(last.Add(4 * frameDur)) {
		t.Fatalf("resumed at frame %d", n)
	}
}

// A seek shows the new time: the keyframe before it first.
func TestSeek(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 500, 25, 100)
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: t0})
	v := watch(t, p)
	v.next()
	if err := p.Seek(frameAt(t0, 310)); err != nil {
		t.Fatal(err)
	}
	for {
		au := v.next()
		if n := counterOf(au); n >= 300 {
			if n != 300 || !au.Key {
				t.Fatalf("after the seek: frame %d", n)
			}
			break
		}
	}
}

// A hole in the recording is skipped, not waited through, and reported.
func TestGapIsSkipped(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 100, 25, 100)
	writeFrames(t, root, "cam", t0, 100+25*60, 100, 25, 100) // a minute later
	var gaps []Status
	changes := make(chan Status, 16)
	p := startPlayer(t, Options{Store: openIndex(t, root), Camera: "cam", Start: frameAt(t0, 75),
		OnChange: func(s Status) {
			select {
			case changes <- s:
			default:
			}
		}})
	v := watch(t, p)
	for n := 0; n < 99; {
		n = counterOf(v.next())
	}
	if n := counterOf(v.next()); n != 1600 {
		t.Fatalf("after the hole: frame %d", n)
	}
	for len(changes) > 0 {
		if s := <-changes; !s.GapTo.IsZero() {
			gaps = append(gaps, s)
		}
	}
	if len(gaps) != 1 || !gaps[0].GapFrom.Equal(frameAt(t0, 99)) || !gaps[0].GapTo.Equal(frameAt(t0, 1600)) {
		t.Fatalf("gaps reported: %+v", gaps)
	}
}

// A segment deleted while the player is before it is skipped like a hole.
func TestDeletedSegmentIsSkipped(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 300, 25, 100)
	x := openIndex(t, root)
	p := startPlayer(t, Options{Store: x, Camera: "cam", Start: frameAt(t0, 50), Speed: 2})
	v := watch(t, p)
	v.next()
	middle := x.Segments("cam", frameAt(t0, 150), frameAt(t0, 151))
	if err := x.Remove(middle[0]); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 99; {
		n = counterOf(v.next())
	}
	if n := counterOf(v.next()); n != 200 {
		t.Fatalf("after the deleted segment: frame %d", n)
	}
}

// Nothing recorded at the time: the error names the nearest recorded
// time. A time in the future and an absurd speed are refused.
func TestRefusals(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "cam", t0, 0, 100, 25, 100)
	x := openIndex(t, root)
	_, err := New(Options{Store: x, Camera: "cam", Start: t0.Add(-time.Minute)})
	var nr *NoRecordingError
	if !errors.As(err, &nr) || !nr.Nearest.Equal(t0) {
		t.Fatalf("before the recording: %v", err)
	}
	_, err = New(Options{Store: x, Camera: "cam", Start: frameAt(t0, 100).Add(time.Minute)})
	if !errors.As(err, &nr) || !nr.Nearest.Equal(frameAt(t0, 100)) {
		t.Fatalf("after the recording: %v", err)
	}
	if _, err := New(Options{Store: x, Camera: "other", Start: t0}); !errors.As(err, &nr) || !nr.Nearest.IsZero() {
		t.Fatalf("camera without recordings: %v", err)
	}
	if _, err := New(Options{Store: x, Camera: "cam", Start: time.Now().Add(time.Hour)}); !errors.Is(err, ErrFuture) {
		t.Fatalf("future: %v", err)
	}
	for _, s := range []float64{0.1, 17, -1, 1e9} {
		if _, err := New(Options{Store: x, Camera: "cam", Start: t0, Speed: s}); !errors.Is(err, ErrSpeed) {
			t.Fatalf("speed %v: %v", s, err)
		}
	}
}

// Players sharing a clock show the same moment, within one frame; a
// pause of the clock stops them all.
func TestLinkedPlayersShowOneMoment(t *testing.T) {
	t.Parallel()
	root, t0 := t.TempDir(), past()
	writeFrames(t, root, "a", t0, 0, 1000, 25, 250)
	writeFrames(t, root, "b", t0.Add(13*time.Millisecond), 0, 1000, 50, 250) // other phase and GOP
	x := openIndex(t, root)
	clock, err := NewClock(frameAt(t0, 60), 1)
	if err != nil {
		t.Fatal(err)
	}
	a := startPlayer(t, Options{Store: x, Camera: "a", Start: frameAt(t0, 60), Clock: clock})
	b := startPlayer(t, Options{Store: x, Camera: "b", Start: frameAt(t0, 60), Clock: clock})
	watch(t, a) // a player sends nothing until it is watched
	watch(t, b)
	clock.Seek(frameAt(t0, 400))
	testwait.For(t, "both past the seek", func() bool {
		return a.Status().Time.After(frameAt(t0, 410)) && b.Status().Time.After(frameAt(t0, 410))
	})
	clock.Pause()
	testwait.For(t, "both caught up with the paused clock", func() bool {
		now := clock.Now()
		return now.Sub(a.Status().Time) < frameDur && now.Sub(b.Status().Time) < frameDur
	})
	if d := a.Status().Time.Sub(b.Status().Time).Abs(); d >= frameDur {
		t.Fatalf("linked players %v apart", d)
	}
}
