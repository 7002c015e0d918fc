package onvif

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func fixtureClock(h, m, s int) time.Time { return time.Date(2026, 12, 6, h, m, s, 0, time.UTC) }

func connectFixture(t *testing.T, f *fixtureDevice) *Device {
	t.Helper()
	d, err := Connect(context.Background(), Options{URL: f.url(), Username: f.user, Password: f.pass})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return d
}

func TestHikvisionFixtures(t *testing.T) {
	f := newFixtureDevice(t, "hikvision", fixtureClock(2, 13, 40))
	d := connectFixture(t, f)
	ctx := context.Background()
	main, sub, err := d.StreamURIs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if main != "rtsp://192.168.1.64:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1" ||
		sub != "rtsp://192.168.1.64:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2" {
		t.Fatalf("stream URIs %q %q", main, sub)
	}
	if !strings.HasPrefix(d.Services.PTZ, f.srv.URL+"/onvif/PTZ") {
		t.Fatalf("PTZ service %q not rebased onto %s", d.Services.PTZ, f.srv.URL)
	}
	if !d.HasPTZ() || d.Main.Width != 2560 || d.Sub.Token != "Profile_2" {
		t.Fatalf("profiles: ptz %v main %+v sub %+v", d.HasPTZ(), d.Main, d.Sub)
	}
	snap, err := d.Snapshot(ctx)
	if err != nil || snap != "http://192.168.1.64/onvif-http/snapshot?Profile_1" {
		t.Fatalf("snapshot %q %v", snap, err)
	}
	presets, err := d.ListPresets(ctx)
	if err != nil || len(presets) != 2 || presets[0] != (Preset{Token: "1", Name: "站台北端"}) {
		t.Fatalf("presets %+v %v", presets, err)
	}
	st, err := d.PTZStatus(ctx)
	if err != nil || st.Position.Pan != 0.151111 || st.Position.Tilt != -0.642857 || st.Moving {
		t.Fatalf("status %+v %v", st, err)
	}
	if err := d.Move(ctx, Vector{Pan: 0.5}, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	if tok, err := d.SavePreset(ctx, "出口 <A&B>"); err != nil || tok != "3" {
		t.Fatalf("SetPreset %q %v", tok, err)
	}
	f.faults["GotoPreset"] = "GotoPreset_fault.xml"
	err = d.Goto(ctx, "99")
	var fault *Fault
	if !errors.As(err, &fault) || fault.Subcode != "ter:InvalidArgVal/ter:NoToken" || fault.Op != "GotoPreset" ||
		!strings.Contains(err.Error(), "preset token does not exist") {
		t.Fatalf("GotoPreset fault: %v", err)
	}
	info, err := d.DeviceInformation(ctx)
	if err != nil || info.Manufacturer != "HIKVISION" || info.Model != "DS-2DE4425IW-DE" {
		t.Fatalf("info %+v %v", info, err)
	}
}

func TestDahuaFixturesNoPTZ(t *testing.T) {
	f := newFixtureDevice(t, "dahua", fixtureClock(2, 14, 5))
	d := connectFixture(t, f)
	main, sub, err := d.StreamURIs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if main != "rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif" ||
		!strings.Contains(sub, "subtype=1") {
		t.Fatalf("stream URIs %q %q", main, sub)
	}
	if d.HasPTZ() {
		t.Fatal("a Dahua bullet without PTZ service reports PTZ")
	}
	if err := d.Move(context.Background(), Vector{Pan: 1}, 0); !errors.Is(err, ErrNoPTZ) {
		t.Fatalf("Move on a camera without PTZ: %v", err)
	}
}

// Axis answers GetCapabilities with ActionNotSupported here: the client
// falls back to GetServices; its JPEG profile is not taken as the main.
func TestAxisFixturesServicesFallback(t *testing.T) {
	f := newFixtureDevice(t, "axis", fixtureClock(2, 15, 59))
	f.faults["GetCapabilities"] = "ActionNotSupported.xml"
	d := connectFixture(t, f)
	if d.Main.Token != "profile_1_h264" || d.Sub.Token != "profile_2_h264" || !d.HasPTZ() {
		t.Fatalf("main %+v sub %+v ptz %v", d.Main, d.Sub, d.HasPTZ())
	}
	main, _, err := d.StreamURIs(context.Background())
	if err != nil || !strings.Contains(main, "profile=profile_1_h264&sessiontimeout=60") {
		t.Fatalf("main %q %v", main, err)
	}
	st, err := d.PTZStatus(context.Background())
	if err != nil || !st.Moving || st.Position != (Vector{Pan: -0.25, Tilt: 0.5, Zoom: 0.1}) {
		t.Fatalf("status %+v %v", st, err)
	}
	calls := strings.Join(f.calls(), ",")
	if !strings.Contains(calls, "GetCapabilities,GetServices") {
		t.Fatalf("calls %s", calls)
	}
}

func TestWrongPasswordIsNotAuthorized(t *testing.T) {
	f := newFixtureDevice(t, "dahua", fixtureClock(2, 14, 5))
	_, err := Connect(context.Background(), Options{URL: f.url(), Username: f.user, Password: "wrong-secret"})
	var fault *Fault
	if !errors.As(err, &fault) || !fault.NotAuthorized() {
		t.Fatalf("want a NotAuthorized fault, got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("the error shows the password: %v", err)
	}
}
