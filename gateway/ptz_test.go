package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

const onvifPassword = "ptz-Secret-9"

// onvifSim is camsim's ONVIF devices: bjx's dome and fixed camera, bjn's
// dome, all with the same credentials for ONVIF and RTSP, their clocks
// two hours off.
func onvifSim(t *testing.T) (*sim.Server, *sim.ONVIF) {
	t.Helper()
	srv := startCamera(t, sim.ServerOptions{Names: []string{"dome", "fixed", "south"}, PTZ: []string{"dome", "south"},
		Width: 160, Height: 96, Username: "admin", Password: onvifPassword})
	dev, err := srv.StartONVIF(sim.ONVIFOptions{ClockSkew: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	srv.PTZ("dome").IgnoreMoveTimeouts(true) // only the gateway's stop ends a move, as on many real domes
	return srv, dev
}

func onvifEntry(id string, addr string, password string) string {
	host, port, _ := net.SplitHostPort(addr)
	return fmt.Sprintf("      - id: %s\n        onvif: {host: %s, port: %s, username: admin, password: %q}\n        record: false\n",
		id, host, port, password)
}

func onvifConfig(dev *sim.ONVIF) string {
	return "stations:\n  - id: bjx\n    name: 北京西站\n    cameras:\n" +
		onvifEntry("bjx-dome", dev.Addr("dome"), onvifPassword) + onvifEntry("bjx-fixed", dev.Addr("fixed"), onvifPassword) +
		"  - id: bjn\n    name: 北京南站\n    cameras:\n" + onvifEntry("bjn-dome", dev.Addr("south"), onvifPassword)
}

type cameraState struct {
	State     string `json:"state"`
	Reason    string `json:"reason"`
	LastError string `json:"last_error"`
	HasSub    bool   `json:"has_sub"`
	Width     int    `json:"width"`
}

func waitCameraState(t *testing.T, c *client, id string, match func(cameraState) bool) cameraState {
	t.Helper()
	var st cameraState
	testwait.For(t, id+" state", func() bool {
		c.must(http.StatusOK, "GET", "/api/cameras/"+id, nil, &st)
		return match(st)
	})
	return st
}

func TestONVIFCameraStreamsAndPTZ(t *testing.T) {
	srv, dev := onvifSim(t)
	g := startTestGateway(t, onvifConfig(dev))
	st := waitCameraState(t, g.admin, "bjx-dome", func(s cameraState) bool { return s.State == "online" })
	if st.Width != 160 || !st.HasSub {
		t.Fatalf("bjx-dome %+v", st)
	}
	waitCameraState(t, g.admin, "bjx-dome", func(s cameraState) bool { return s.State == "online" })

	g.createUser("op", auth.RoleOperator)
	g.createUser("disp", auth.RoleDispatcher)
	g.createUser("viewer", auth.RoleViewer)
	g.createUser("south-disp", auth.RoleDispatcher, "bjn")
	op, disp := g.login("op", userPassword), g.login("disp", userPassword)

	var ptzState struct {
		PTZ     bool
		Presets []struct{ Token, Name string }
		Holder  *struct{ User, Role string }
	}
	op.must(http.StatusOK, "GET", "/api/cameras/bjx-dome/ptz", nil, &ptzState)
	if !ptzState.PTZ || len(ptzState.Presets) != 0 || ptzState.Holder != nil {
		t.Fatalf("ptz state %+v", ptzState)
	}
	p := srv.PTZ("dome")
	op.must(http.StatusNoContent, "POST", "/api/cameras/bjx-dome/ptz/move", map[string]float64{"pan": 1}, nil)
	testwait.For(t, "the dome to pan", func() bool { return p.Position().Pan > 0.05 })
	testwait.For(t, "the gateway to stop the dome by itself", func() bool { return !p.Moving() })

	// The lock: a dispatcher sees who holds the dome.
	resp, body := disp.do("POST", "/api/cameras/bjx-dome/ptz/move", map[string]float64{"tilt": 1})
	var locked struct {
		Error  string
		Holder struct{ User, Role string }
	}
	if resp.StatusCode != http.StatusConflict || json.Unmarshal(body, &locked) != nil || locked.Holder.User != "op" {
		t.Fatalf("dispatcher while op holds: %s %s", resp.Status, body)
	}
	var saved struct{ Token, Name string }
	op.must(http.StatusCreated, "POST", "/api/cameras/bjx-dome/ptz/presets", map[string]string{"name": "站台北端"}, &saved)
	at := p.Position()
	op.must(http.StatusNoContent, "POST", "/api/cameras/bjx-dome/ptz/stop", nil, nil)
	op.must(http.StatusNoContent, "POST", "/api/cameras/bjx-dome/ptz/presets/"+saved.Token+"/goto", nil, nil)
	if p.Position() != at {
		t.Fatalf("goto: %+v, want %+v", p.Position(), at)
	}
	// The admin outranks the operator and takes the dome over.
	g.admin.must(http.StatusNoContent, "DELETE", "/api/cameras/bjx-dome/ptz/presets/"+saved.Token, nil, nil)

	// Bad input.
	for _, body := range []any{map[string]float64{"pan": 1.5}, map[string]float64{"zoom": -1.01}, map[string]any{"pan": "left"}, map[string]any{"roll": 1}} {
		g.admin.must(http.StatusBadRequest, "POST", "/api/cameras/bjx-dome/ptz/move", body, nil)
	}
	g.admin.must(http.StatusConflict, "POST", "/api/cameras/bjx-fixed/ptz/move", map[string]float64{"pan": 1}, nil)
	g.login("viewer", userPassword).must(http.StatusForbidden, "POST", "/api/cameras/bjx-dome/ptz/stop", nil, nil)
	south := g.login("south-disp", userPassword)
	south.must(http.StatusNotFound, "POST", "/api/cameras/bjx-dome/ptz/move", map[string]float64{"pan": 1}, nil)
	south.must(http.StatusNotFound, "GET", "/api/cameras/bjx-dome/ptz", nil, nil)
	south.must(http.StatusNoContent, "POST", "/api/cameras/bjn-dome/ptz/stop", nil, nil)
	var fixed struct{ PTZ bool }
	g.admin.must(http.StatusOK, "GET", "/api/cameras/bjx-fixed/ptz", nil, &fixed)
	if fixed.PTZ {
		t.Fatal("the fixed camera says it has PTZ")
	}

	g.Close() // ends the sessions still held: admin's on bjx-dome, south-disp's on bjn-dome
	list, err := g.openStore().ListAudit(context.Background(), store.AuditQuery{Action: "ptz.session"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		var d struct {
			Ended        string
			PresetsSaved []string `json:"presets_saved"`
			PresetsGoto  []string `json:"presets_goto"`
		}
		_ = json.Unmarshal(e.Detail, &d)
		got = append(got, e.User+" "+e.Camera+" "+d.Ended)
		if e.User == "op" && (len(d.PresetsSaved) != 1 || len(d.PresetsGoto) != 1 || d.PresetsGoto[0] != saved.Token) {
			t.Errorf("op's session does not name the presets used: %s", e.Detail)
		}
	}
	slices.Sort(got)
	if want := []string{"admin bjx-dome shutdown", "op bjx-dome taken_over", "south-disp bjn-dome shutdown"}; !slices.Equal(got, want) {
		t.Fatalf("ptz sessions %q, want %q", got, want)
	}
}

// A device that refuses the credentials, or does not answer, leaves its
// camera offline with a clear reason and never the password.
func TestONVIFDeviceFailuresAreCameraStates(t *testing.T) {
	_, dev := onvifSim(t)
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	cfg := "stations:\n  - id: bjx\n    name: 北京西站\n    cameras:\n" +
		onvifEntry("bjx-wrong", dev.Addr("dome"), "wrong-Pass-77") + onvifEntry("bjx-silent", silent.Addr().String(), onvifPassword)
	g := startTestGateway(t, cfg, func(o *gateway.Options) { o.ONVIFTimeout = 200 * time.Millisecond })
	wrong := waitCameraState(t, g.admin, "bjx-wrong", func(s cameraState) bool { return s.Reason == "unauthorized" })
	slow := waitCameraState(t, g.admin, "bjx-silent", func(s cameraState) bool { return s.Reason == "timeout" })
	for _, s := range []cameraState{wrong, slow} {
		if s.State != "offline" || s.LastError == "" || strings.Contains(s.LastError, "wrong-Pass-77") || strings.Contains(s.LastError, onvifPassword) {
			t.Fatalf("state %+v", s)
		}
	}
	if logs := g.logs.String(); strings.Contains(logs, "wrong-Pass-77") || strings.Contains(logs, onvifPassword) {
		t.Fatal("a camera password reached the log")
	}
	g.admin.must(http.StatusBadGateway, "POST", "/api/cameras/bjx-silent/ptz/stop", nil, nil)
}

// The console's WebSocket carries the same commands; a console that goes
// away stops the dome it was moving at once, without waiting for the
// auto-stop.
func TestPTZOverTheConsole(t *testing.T) {
	srv, dev := onvifSim(t)
	g := startTestGateway(t, onvifConfig(dev), func(o *gateway.Options) { o.PTZAutoStop = time.Hour })
	g.createUser("op", auth.RoleOperator)
	g.createUser("disp", auth.RoleDispatcher)
	op := dialConsole(t, g.URL(), g.login("op", userPassword).token, "")
	disp := dialConsole(t, g.URL(), g.login("disp", userPassword).token, "")
	isPTZ := func(op string) func(map[string]any) bool {
		return func(m map[string]any) bool { return m["type"] == "ptz" && m["op"] == op }
	}
	op.send(t, map[string]any{"type": "ptz", "camera": "bjx-dome", "op": "move", "pan": -1})
	if m := op.waitFor(t, "the move's answer", isPTZ("move")); m["ok"] != true {
		t.Fatalf("move: %v", m)
	}
	p := srv.PTZ("dome")
	testwait.For(t, "the dome to pan left", func() bool { return p.Position().Pan < -0.05 })

	disp.send(t, map[string]any{"type": "ptz", "camera": "bjx-dome", "op": "stop"})
	m := disp.waitFor(t, "the lock", isPTZ("stop"))
	if h, _ := m["holder"].(map[string]any); m["code"] != "locked" || h["user"] != "op" {
		t.Fatalf("dispatcher's stop: %v", m)
	}
	disp.send(t, map[string]any{"type": "ptz", "camera": "bjx-dome", "op": "move", "pan": 2})
	if m := disp.waitFor(t, "range refusal", isPTZ("move")); m["code"] != "invalid" {
		t.Fatalf("out of range: %v", m)
	}
	disp.send(t, map[string]any{"type": "ptz", "camera": "bjx-fixed", "op": "stop"})
	if m := disp.waitFor(t, "no PTZ", isPTZ("stop")); m["code"] != "no_ptz" {
		t.Fatalf("fixed camera: %v", m)
	}
	if !p.Moving() {
		t.Fatal("the dome stopped before its console went away")
	}
	op.ws.Close()
	testwait.For(t, "the dome to stop when its console went away", func() bool { return !p.Moving() })
}
