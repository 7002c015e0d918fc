package ptz

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/onvif"
	"vigil/streams/sim"
)

// simDevices are camsim's ONVIF devices reached over real HTTP.
type simDevices struct {
	srv  *sim.Server
	devs map[string]*onvif.Device
}

func (s *simDevices) Device(_ context.Context, id string) (Device, error) {
	d, ok := s.devs[id]
	if !ok || !d.HasPTZ() {
		return nil, ErrNoPTZ
	}
	return d, nil
}

type auditLog struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (a *auditLog) Record(_ context.Context, e audit.Entry) {
	a.mu.Lock()
	a.entries = append(a.entries, e)
	a.mu.Unlock()
}

func (a *auditLog) all() []audit.Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]audit.Entry(nil), a.entries...)
}

func newSimDevices(t *testing.T) *simDevices {
	t.Helper()
	srv, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"dome", "fixed"}, PTZ: []string{"dome"},
		Width: 160, Height: 96, Username: "admin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dev, err := srv.StartONVIF(sim.ONVIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	s := &simDevices{srv: srv, devs: map[string]*onvif.Device{}}
	for _, cam := range []string{"dome", "fixed"} {
		d, err := onvif.Connect(context.Background(), onvif.Options{URL: dev.DeviceURL(cam), Username: "admin", Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		s.devs[cam] = d
	}
	return s
}

var (
	operator   = User{Name: "op", Role: auth.RoleOperator, Session: "ws-1"}
	dispatcher = User{Name: "disp", Role: auth.RoleDispatcher, Session: "ws-2"}
	admin      = User{Name: "root", Role: auth.RoleAdmin}
)

func newController(t *testing.T, o Options) (*Controller, *simDevices, *auditLog) {
	t.Helper()
	s := newSimDevices(t)
	log := &auditLog{}
	o.Devices, o.Audit = s, log
	c := New(o)
	t.Cleanup(c.Close)
	return c, s, log
}

func TestMoveNotRepeatedStopsByItself(t *testing.T) {
	c, s, _ := newController(t, Options{AutoStop: 100 * time.Millisecond})
	p := s.srv.PTZ("dome")
	p.IgnoreMoveTimeouts(true) // as many real domes do: only the gateway's Stop ends the move
	if err := c.Move(context.Background(), operator, "dome", onvif.Vector{Pan: 1}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the dome to move", func() bool { return p.Position().Pan > 0 })
	testwait.For(t, "the gateway to stop the dome", func() bool { return !p.Moving() })
}

func TestLockLowerWaitsHigherTakesOver(t *testing.T) {
	c, _, log := newController(t, Options{})
	ctx := context.Background()
	if err := c.Move(ctx, operator, "dome", onvif.Vector{Tilt: 0.5}); err != nil {
		t.Fatal(err)
	}
	var locked *LockedError
	for _, u := range []User{dispatcher, {Name: "op2", Role: auth.RoleOperator}} {
		if err := c.Stop(ctx, u, "dome"); !errors.As(err, &locked) || locked.Holder.User != "op" || locked.Holder.Role != auth.RoleOperator {
			t.Fatalf("%s: want the lock held by op, got %v", u.Name, err)
		}
	}
	if err := c.Stop(ctx, admin, "dome"); err != nil {
		t.Fatalf("admin takes over: %v", err)
	}
	if h, ok := c.Holder("dome"); !ok || h.User != "root" {
		t.Fatalf("holder %+v %v", h, ok)
	}
	es := log.all()
	if len(es) != 1 || es[0].User != "op" || es[0].Action != ActionSession || es[0].Detail["ended"] != "taken_over" {
		t.Fatalf("audit %+v", es)
	}
}

func TestHoldExpires(t *testing.T) {
	c, _, log := newController(t, Options{Hold: 50 * time.Millisecond})
	ctx := context.Background()
	if err := c.Stop(ctx, operator, "dome"); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the hold to expire", func() bool { _, ok := c.Holder("dome"); return !ok })
	testwait.For(t, "the session's audit entry", func() bool { return len(log.all()) == 1 })
	if err := c.Stop(ctx, dispatcher, "dome"); err != nil {
		t.Fatalf("after the hold expired: %v", err)
	}
	if e := log.all()[0]; e.Detail["ended"] != "expired" || e.Detail["commands"] != 1 {
		t.Fatalf("audit %+v", e)
	}
}

func TestOneAuditEntryPerSessionWithPresets(t *testing.T) {
	c, _, log := newController(t, Options{})
	ctx := context.Background()
	for range 5 {
		if err := c.Move(ctx, dispatcher, "dome", onvif.Vector{Pan: 0.2}); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := c.SavePreset(ctx, dispatcher, "dome", "站台")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Goto(ctx, dispatcher, "dome", tok); err != nil {
		t.Fatal(err)
	}
	ps, err := c.Presets(ctx, "dome")
	if err != nil || len(ps) != 1 || ps[0].Name != "站台" {
		t.Fatalf("presets %+v %v", ps, err)
	}
	if len(log.all()) != 0 {
		t.Fatal("audited per command")
	}
	c.Close()
	es := log.all()
	if len(es) != 1 || es[0].Detail["commands"] != 7 || es[0].Detail["ended"] != "shutdown" {
		t.Fatalf("audit %+v", es)
	}
	if g := es[0].Detail["presets_goto"].([]string); len(g) != 1 || g[0] != tok {
		t.Fatalf("presets used %+v", es[0].Detail)
	}
}

func TestDroppedConsoleStopsTheDome(t *testing.T) {
	c, s, log := newController(t, Options{AutoStop: time.Hour})
	p := s.srv.PTZ("dome")
	if err := c.Move(context.Background(), operator, "dome", onvif.Vector{Pan: -1}); err != nil {
		t.Fatal(err)
	}
	if !p.Moving() {
		t.Fatal("not moving")
	}
	c.Release(operator.Session)
	if p.Moving() {
		t.Fatal("the dome still moves after its console went away")
	}
	if es := log.all(); len(es) != 1 || es[0].Detail["ended"] != "disconnected" {
		t.Fatalf("audit %+v", es)
	}
}

func TestBadInput(t *testing.T) {
	c, _, _ := newController(t, Options{Burst: 2, Rate: 0.001})
	ctx := context.Background()
	for _, v := range []onvif.Vector{{Pan: 1.01}, {Tilt: -2}, {Zoom: math.NaN()}, {Pan: math.Inf(1)}} {
		if err := c.Move(ctx, operator, "dome", v); !errors.Is(err, ErrRange) {
			t.Errorf("%+v: %v", v, err)
		}
	}
	if err := c.Move(ctx, operator, "fixed", onvif.Vector{Pan: 1}); !errors.Is(err, ErrNoPTZ) {
		t.Errorf("camera without PTZ: %v", err)
	}
	if _, err := c.SavePreset(ctx, operator, "dome", ""); !errors.Is(err, ErrPresetName) {
		t.Errorf("empty preset name: %v", err)
	}
	var dev *DeviceError
	if err := c.Goto(ctx, operator, "dome", "nope"); !errors.As(err, &dev) {
		t.Errorf("unknown preset: %v", err)
	}
	_ = c.Stop(ctx, operator, "dome")
	if err := c.Stop(ctx, operator, "dome"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("third command of a burst of 2: %v", err)
	}
}
