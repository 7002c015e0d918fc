package sim

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

func sliceOf(a au) []byte {
	for _, n := range a.nalus {
		if t := h264.NALUType(n[0] & 0x1f); t == h264.NALUTypeIDR || t == h264.NALUTypeNonIDR {
			return n
		}
	}
	return nil
}

// awaitAU reads until an access unit for which shows holds. After a
// SetFault the reader's queue may still hold pictures encoded before the
// fault took hold, keyframes among them (the queue is deep, and on a busy
// machine it fills), so a test finds the fault's first picture by what it
// shows, not by its place in the stream.
func awaitAU(t *testing.T, r *reader, what string, shows func(au) bool) au {
	t.Helper()
	var found au
	testwait.For(t, what, func() bool {
		found = r.nextAU(t)
		return shows(found)
	})
	return found
}

// A live camera redraws its clock every frame, so its P slices carry
// macroblocks; a frozen one skips them all.
func isFrozenP(a au) bool { return !isIDR(a) && len(sliceOf(a)) <= 64 }

func TestFaultFreezeKeepsFramesComing(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	if live := awaitAU(t, r, "a live P picture", func(a au) bool { return !isIDR(a) }); isFrozenP(live) {
		t.Fatalf("a live camera sent a %d-byte P slice", len(sliceOf(live)))
	}
	if err := s.SetFault("cam0", FaultFreeze); err != nil {
		t.Fatal(err)
	}
	awaitAU(t, r, "a frozen P picture", isFrozenP)
	// Frozen from then on, across keyframes.
	for range 8 {
		if a := r.nextAU(t); !isIDR(a) && !isFrozenP(a) {
			t.Fatalf("a frozen camera sent a %d-byte P slice", len(sliceOf(a)))
		}
	}
	if err := s.SetFault("cam0", FaultNone); err != nil {
		t.Fatal(err)
	}
	awaitAU(t, r, "a changing picture after healing", func(a au) bool { return !isIDR(a) && !isFrozenP(a) })
}

func TestFaultBlack(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	// I_PCM: the picture's samples are in the slice as they are.
	blackShare := func(a au) float64 {
		p := sliceOf(a)
		return float64(bytes.Count(p, []byte{16})) / float64(len(p))
	}
	isBlackKey := func(a au) bool { return isIDR(a) && blackShare(a) >= 0.6 }
	live := awaitAU(t, r, "a live keyframe", isIDR)
	if blackShare(live) > 0.3 {
		t.Fatalf("share of black samples in a live keyframe: %.2f", blackShare(live))
	}
	if err := s.SetFault("cam0", FaultBlack); err != nil {
		t.Fatal(err)
	}
	awaitAU(t, r, "a black keyframe", isBlackKey)
	// The fault holds: the keyframes after it are black too.
	if next := awaitAU(t, r, "the next keyframe", isIDR); !isBlackKey(next) {
		t.Fatalf("share of black samples in the keyframe after the first black one: %.2f", blackShare(next))
	}
}

// TestFaultStallKeepsSessionOpen: a stalled camera sends nothing on its
// open session, then resumes it with a keyframe. Frames are told by their
// tagged frame numbers: pictures sent before the stall may still arrive
// during it on a busy machine.
func TestFaultStallKeepsSessionOpen(t *testing.T) {
	var lastSent atomic.Int64
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5,
		Configure: func(_ string, o *CameraOptions) {
			o.Tag = func(n int64, _ time.Time) []byte {
				lastSent.Store(n)
				return tagSEI(media.CodecH264, n)
			}
		}})
	cam := s.byName["cam0"]
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	if err := s.SetFault("cam0", FaultStall); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the stall to hold", func() bool { return cam.stalled.Load() >= 3 })
	before := lastSent.Load()
	testwait.For(t, "ten stalled frame times", func() bool { return cam.stalled.Load() >= 10 })
	if err := s.SetFault("cam0", FaultNone); err != nil {
		t.Fatal(err)
	}
	// Each stalled frame time took a frame number (a late tick skips
	// more), so the first frame after the last sent before the stall is
	// beyond all of them, and a keyframe.
	resumed := awaitAU(t, r, "a frame sent after the stall", func(a au) bool {
		n, ok := h264Tag(a)
		return !ok || n > before
	})
	n, ok := h264Tag(resumed)
	switch {
	case !ok:
		t.Fatal("an access unit without its tag")
	case n < before+int64(cam.stalled.Load())+1:
		t.Fatalf("frame %d came during a stall of %d frame times after frame %d", n, cam.stalled.Load(), before)
	case !isIDR(resumed):
		t.Fatal("the same session did not resume with a keyframe")
	}
}

func TestFaultUnauthorizedAndDrop(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 2, GOP: 5})
	describe := func(cam string) (*base.Response, error) {
		u, _ := base.ParseURL(s.URL(cam))
		c := &gortsplib.Client{Scheme: "rtsp", Host: u.Host}
		if err := c.Start2(); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, res, err := c.Describe(u)
		return res, err
	}
	if err := s.SetFault("cam0", FaultUnauthorized); err != nil {
		t.Fatal(err)
	}
	if res, err := describe("cam0"); err == nil || res == nil || res.StatusCode != base.StatusUnauthorized {
		t.Fatalf("describe of a camera refusing: %v %v", res, err)
	}
	if _, err := describe("cam1"); err != nil {
		t.Fatalf("the other camera refused too: %v", err)
	}
	s.SetFault("cam0", FaultNone)
	if _, err := describe("cam0"); err != nil {
		t.Fatalf("healed camera: %v", err)
	}
	if err := s.SetFault("nope", FaultFreeze); err == nil {
		t.Fatal("fault on an unknown camera accepted")
	}
	if _, err := ParseFault("melt"); err == nil {
		t.Fatal("unknown fault name parsed")
	}
	if f, err := ParseFault("Freeze"); err != nil || f != FaultFreeze || f.String() != "freeze" {
		t.Fatalf("ParseFault: %v %v", f, err)
	}
}

func TestDropEndsSessions(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	u, _ := base.ParseURL(s.URL("cam0"))
	tr := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: "rtsp", Host: u.Host, Transport: &tr}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	desc, _, err := c.Describe(u)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetupAll(desc.BaseURL, desc.Medias); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Drop("cam0"); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err == nil {
		t.Fatal("session survived the drop")
	}
	play(t, s.URL("cam0"), gortsplib.TransportTCP).nextAU(t) // new sessions are accepted
}

// TestFaultThinSendsAFifth: a thinned camera sends one frame time in
// thinEvery on the same session (its bitrate drops with its frame rate),
// and heals with a keyframe. The frames sent are told by their RTP
// timestamps, which count frame times: pictures sent before the fault may
// still be on their way, and a camera starved of CPU skips frame times, so
// counting arrivals in a window of time would be a timed assertion.
func TestFaultThinSendsAFifth(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	if err := s.SetFault("cam0", FaultThin); err != nil {
		t.Fatal(err)
	}
	const frameTicks = 90000 / 25
	const thinned = thinEvery * frameTicks
	// Eight steps in a row of whole multiples of thinEvery frame times:
	// frames from before the fault step one frame time.
	var steps []uint32
	prev := r.nextAU(t).ts
	testwait.For(t, "eight thinned steps in a row", func() bool {
		a := r.nextAU(t)
		step := a.ts - prev
		prev = a.ts
		if step == 0 || step%thinned != 0 {
			steps = steps[:0]
			return false
		}
		steps = append(steps, step)
		return len(steps) == 8
	})
	// Their greatest common divisor is thinEvery frame times: a camera
	// starved of CPU skips frame times now and then (steps of 10, 15, ...),
	// but one sending every tenth would have no step of an odd multiple.
	g := uint32(0)
	for _, st := range steps {
		g = gcd(g, st)
	}
	if g != thinned {
		t.Fatalf("steps of a thinned camera in frame times: %v, want whole multiples of %d whose greatest common divisor is %d", framesOf(steps, frameTicks), thinEvery, thinEvery)
	}
	s.SetFault("cam0", FaultNone)
	testwait.For(t, "a keyframe after healing", func() bool { return isIDR(r.nextAU(t)) })
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func framesOf(steps []uint32, frameTicks uint32) []uint32 {
	out := make([]uint32, len(steps))
	for i, st := range steps {
		out[i] = st / frameTicks
	}
	return out
}
