package sim

import (
	"context"
	"errors"
	"image/jpeg"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/onvif"
)

func startONVIFSim(t *testing.T) (*Server, *ONVIF) {
	t.Helper()
	srv, err := NewServer(ServerOptions{Listen: "127.0.0.1:0", Names: []string{"dome", "fixed"}, PTZ: []string{"dome"},
		Width: 160, Height: 96, Username: "admin", Password: "pw 1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	// The device's clock is an hour off: tokens must be signed with it.
	dev, err := srv.StartONVIF(ONVIFOptions{ClockSkew: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	return srv, dev
}

func TestONVIFDeviceOverHTTP(t *testing.T) {
	srv, dev := startONVIFSim(t)
	ctx := context.Background()
	d, err := onvif.Connect(ctx, onvif.Options{URL: dev.DeviceURL("dome"), Username: "admin", Password: "pw 1"})
	if err != nil {
		t.Fatal(err)
	}
	main, sub, err := d.StreamURIs(ctx)
	if err != nil || main != srv.rtsp.URL("dome") || sub != srv.rtsp.URL("dome/sub") {
		t.Fatalf("stream URIs %q %q %v", main, sub, err)
	}
	if off := d.ClockOffset(); off < 59*time.Minute || off > 61*time.Minute || !d.HasPTZ() {
		t.Fatalf("clock offset %s, ptz %v", off, d.HasPTZ())
	}
	if err := d.Move(ctx, onvif.Vector{Pan: 1}, 0); err != nil {
		t.Fatal(err)
	}
	p := srv.PTZ("dome")
	testwait.For(t, "the dome to pan right", func() bool { return p.Position().Pan > 0.1 })
	if err := d.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	tok, err := d.SavePreset(ctx, "站台 <north>")
	if err != nil {
		t.Fatal(err)
	}
	saved := p.Position()
	if err := d.Nudge(ctx, onvif.Vector{Pan: -0.5}); err != nil || p.Position() == saved {
		t.Fatalf("relative move: %v", err)
	}
	presets, err := d.ListPresets(ctx)
	if err != nil || len(presets) != 1 || presets[0].Name != "站台 <north>" {
		t.Fatalf("presets %+v %v", presets, err)
	}
	if err := d.Goto(ctx, tok); err != nil || p.Position() != saved {
		t.Fatalf("goto %v: %+v want %+v", err, p.Position(), saved)
	}
	var f *onvif.Fault
	if err := d.Goto(ctx, "nope"); !errors.As(err, &f) || !strings.Contains(f.Subcode, "NoToken") {
		t.Fatalf("goto unknown preset: %v", err)
	}
	st, err := d.PTZStatus(ctx)
	if err != nil || math.Abs(st.Position.Pan-saved.Pan) > 1e-5 || st.Moving {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestONVIFDeviceWithoutPTZAndWrongPassword(t *testing.T) {
	_, dev := startONVIFSim(t)
	ctx := context.Background()
	d, err := onvif.Connect(ctx, onvif.Options{URL: dev.DeviceURL("fixed"), Username: "admin", Password: "pw 1"})
	if err != nil {
		t.Fatal(err)
	}
	if d.HasPTZ() {
		t.Fatal("a fixed camera offers PTZ")
	}
	_, err = onvif.Connect(ctx, onvif.Options{URL: dev.DeviceURL("dome"), Username: "admin", Password: "wrong"})
	var f *onvif.Fault
	if !errors.As(err, &f) || !f.NotAuthorized() {
		t.Fatalf("wrong password: %v", err)
	}
}

// GetSnapshotUri gives a JPEG of the dome's picture where it looks now.
func TestONVIFSnapshot(t *testing.T) {
	_, dev := startONVIFSim(t)
	ctx := context.Background()
	d, err := onvif.Connect(ctx, onvif.Options{URL: dev.DeviceURL("dome"), Username: "admin", Password: "pw 1"})
	if err != nil {
		t.Fatal(err)
	}
	uri, err := d.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(uri)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	img, err := jpeg.Decode(resp.Body)
	if err != nil || img.Bounds().Dx() != 160 || img.Bounds().Dy() != 96 {
		t.Fatalf("snapshot %v %v", img, err)
	}
}
