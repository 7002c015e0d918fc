package sim

import (
	"bytes"
	"testing"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"vigil/internal/testwait"
)

func sliceOf(a au) []byte {
	for _, n := range a.nalus {
		if t := h264.NALUType(n[0] & 0x1f); t == h264.NALUTypeIDR || t == h264.NALUTypeNonIDR {
			return n
		}
	}
	return nil
}

// nextIDR reads until an IDR that started after the fault took hold: a
// fault change makes the next picture a keyframe.
func nextIDR(t *testing.T, r *reader) []byte {
	t.Helper()
	for a := r.nextAU(t); ; a = r.nextAU(t) {
		if isIDR(a) {
			return sliceOf(a)
		}
	}
}

func TestFaultFreezeKeepsFramesComing(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	nextIDR(t, r)
	if err := s.SetFault("cam0", FaultFreeze); err != nil {
		t.Fatal(err)
	}
	nextIDR(t, r) // the first picture after the fault took hold
	// Frozen: the pictures between keyframes change no macroblock (all
	// skipped), where a live one redraws its clock every frame.
	for range 8 {
		a := r.nextAU(t)
		if p := sliceOf(a); !isIDR(a) && len(p) > 64 {
			t.Fatalf("a frozen camera sent a %d-byte P slice", len(p))
		}
	}
	if err := s.SetFault("cam0", FaultNone); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "a changing picture after healing", func() bool {
		a := r.nextAU(t)
		return !isIDR(a) && len(sliceOf(a)) > 64
	})
}

func TestFaultBlack(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	live := nextIDR(t, r)
	if err := s.SetFault("cam0", FaultBlack); err != nil {
		t.Fatal(err)
	}
	black := nextIDR(t, r)
	// I_PCM: the picture's samples are in the slice as they are.
	share := func(p []byte) float64 { return float64(bytes.Count(p, []byte{16})) / float64(len(p)) }
	if share(black) < 0.6 || share(live) > 0.3 {
		t.Fatalf("share of black samples: %.2f in the black keyframe, %.2f in the live one", share(black), share(live))
	}
}

func TestFaultStallKeepsSessionOpen(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	cam := s.byName["cam0"]
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	if err := s.SetFault("cam0", FaultStall); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the stall to hold", func() bool { return cam.stalled.Load() >= 3 })
	for len(r.aus) > 0 { // what was under way before
		<-r.aus
	}
	held := cam.stalled.Load()
	testwait.For(t, "more stalled frame times", func() bool { return cam.stalled.Load() >= held+10 })
	if n := len(r.aus); n != 0 {
		t.Fatalf("%d access units came during the stall", n)
	}
	s.SetFault("cam0", FaultNone)
	if !isIDR(r.nextAU(t)) {
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
// and heals with a keyframe.
func TestFaultThinSendsAFifth(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 5})
	cam := s.byName["cam0"]
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	if err := s.SetFault("cam0", FaultThin); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the thinning to hold", func() bool { return cam.thinned.Load() >= 4 })
	for len(r.aus) > 0 { // what was under way before
		<-r.aus
	}
	held := cam.thinned.Load()
	testwait.For(t, "40 frame times left out", func() bool { return cam.thinned.Load() >= held+40 })
	// 40 left out are 50 frame times, of which 10 sent (give or take one
	// at each edge, and one in flight).
	if n := len(r.aus); n < 8 || n > 12 {
		t.Fatalf("%d access units came while 40 frame times were left out, want 10", n)
	}
	s.SetFault("cam0", FaultNone)
	testwait.For(t, "a keyframe after healing", func() bool { return isIDR(r.nextAU(t)) })
}
