package sim

import (
	"errors"
	"testing"
	"time"

	"vigil/internal/testclock"
	"vigil/streams/onvif"
)

func newTestPTZ() (*PTZ, *testclock.Clock) {
	c := testclock.New(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
	p := NewPTZ()
	p.now, p.since = c.Now, c.Now()
	return p, c
}

func TestPTZIntegratesVelocity(t *testing.T) {
	p, c := newTestPTZ()
	p.Move(onvif.Vector{Pan: 0.5, Tilt: -1}, 0)
	c.Advance(time.Second)
	if got := p.Position(); got.Pan != 0.25 || got.Tilt != -0.5 {
		t.Fatalf("after 1 s: %+v", got)
	}
	c.Advance(10 * time.Second)
	if got := p.Position(); got.Pan != 1 || got.Tilt != -1 || !p.Moving() {
		t.Fatalf("clamped: %+v", got)
	}
	p.Stop()
	c.Advance(time.Second)
	if p.Moving() || p.Position().Pan != 1 {
		t.Fatal("moved after Stop")
	}
}

func TestPTZMoveTimeoutStopsByItself(t *testing.T) {
	p, c := newTestPTZ()
	p.Move(onvif.Vector{Pan: 1}, 500*time.Millisecond)
	c.Advance(3 * time.Second)
	if got := p.Position(); got.Pan != 0.25 || p.Moving() {
		t.Fatalf("a move with a 0.5 s timeout: %+v moving %v", got, p.Moving())
	}
}

func TestPTZIgnoringTimeoutsMovesUntilStop(t *testing.T) {
	p, c := newTestPTZ()
	p.IgnoreMoveTimeouts(true)
	p.Move(onvif.Vector{Pan: 1}, 100*time.Millisecond)
	c.Advance(time.Second)
	if !p.Moving() || p.Position().Pan != 0.5 {
		t.Fatalf("moving %v at %+v", p.Moving(), p.Position())
	}
}

func TestPTZPresets(t *testing.T) {
	p, _ := newTestPTZ()
	p.Relative(onvif.Vector{Pan: 0.4, Tilt: 0.2})
	tok := p.SavePreset("platform")
	p.Relative(onvif.Vector{Pan: -1})
	if err := p.Goto(tok); err != nil || p.Position() != (onvif.Vector{Pan: 0.4, Tilt: 0.2}) {
		t.Fatalf("goto: %v %+v", err, p.Position())
	}
	if err := p.RemovePreset(tok); err != nil || len(p.Presets()) != 0 {
		t.Fatal(err)
	}
	if err := p.Goto(tok); !errors.Is(err, ErrNoPreset) {
		t.Fatalf("goto removed preset: %v", err)
	}
}

// The picture of a dome is a window that moves over the scene.
func TestPictureWindowPans(t *testing.T) {
	fx := 0.5
	pic, err := NewPicture(PictureOptions{Width: 64, Height: 48, Title: "p", View: func() (float64, float64) { return fx, 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	before := append([]byte(nil), pic.Draw(now, 1).Y...)
	same := pic.Draw(now, 1).Y
	if string(before) != string(same) {
		t.Fatal("the picture changed without a move")
	}
	fx = 0.9
	after := pic.Draw(now, 1).Y
	if string(before) == string(after) {
		t.Fatal("the picture did not change when the window moved")
	}
}
