package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/browsertest"
	"vigil/internal/netns"
	"vigil/internal/testwait"
	"vigil/streams/onvif"
	"vigil/streams/sim"
)

const domePassword = "Dome-Passw0rd"

// startConfigured runs a gateway on cfgPath and dataDir (kept across
// restarts, as an admin restarting after a config change does).
func startConfigured(t *testing.T, cfgPath, dataDir string) *gateway.Gateway {
	t.Helper()
	g, err := gateway.New(context.Background(), gateway.Options{
		HTTPAddr: "127.0.0.1:0", DataDir: dataDir, ConfigPath: cfgPath,
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0",
		AdminPassword: adminPassword, DiscoveryWait: 500 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	return g
}

// centerLuma samples the middle of tile 0's decoded picture (away from the
// title, clock and moving marker) as 16 luma values.
const centerLuma = `(() => {
  const v = document.querySelector('#stage .tile[data-tile="0"] video');
  if (!v || !v.videoWidth) return [];
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const x = c.getContext('2d');
  x.drawImage(v, 0, 0);
  const out = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
    const px = x.getImageData(Math.floor(c.width * (0.35 + 0.1 * i)), Math.floor(c.height * (0.3 + 0.1 * j)), 1, 1).data;
    out.push(Math.round(0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]));
  }
  return out;
})()`

func differs(a, b []int) bool {
	if len(a) != len(b) {
		return true
	}
	for i := range a {
		if d := a[i] - b[i]; d > 12 || d < -12 {
			return true
		}
	}
	return false
}

// The whole PTZ path in Chromium: an admin discovers camsim's dome on the
// admin page and adds it (the config lines it writes, pasted into the
// config, a restart); on the dome's tile, holding the pad right for about
// a second pans the simulated crop window and changes the decoded
// picture; a preset saved and gone to brings the dome back; a dispatcher
// in a second browser sees that the admin holds the dome.
func TestConsolePTZ(t *testing.T) {
	if !netns.LoopbackForBrowser(t) { // discovery multicasts: only in a namespace of its own
		return
	}
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	cams, dev := startDomeSim(t)
	dir := t.TempDir()
	cfgPath, dataDir := filepath.Join(dir, "vigil.yaml"), filepath.Join(dir, "data")
	cfg := "stations:\n  - id: bjx\n    name: 北京西站\n    cameras:\n      - id: bjx-fixed\n        name: 固定\n        url: " +
		cams.URL("fixed") + "\n        record: false\n"
	writeFile(t, cfgPath, cfg)
	g := startConfigured(t, cfgPath, dataDir)

	admin := browsertest.New(t)
	admin.Viewport(1280, 800)
	admin.Navigate(g.URL() + "/")
	logIn(admin, wait)
	admin.WaitVisible("#console-view", wait)
	writeFile(t, cfgPath, cfg+addDiscoveredDome(t, admin, dev, wait))
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	g = startConfigured(t, cfgPath, dataDir) // the admin restarts with the new config
	defer g.Close()

	admin.Navigate(g.URL() + "/?cameras=dome&grid=1")
	admin.WaitVisible("#console-view", wait) // the session lives on in the data directory
	if err := admin.Visible(`#stage .tile[data-tile="0"][data-state="playing"]`, 60*time.Second); err != nil {
		st := browsertest.MustEval[string](admin, `document.querySelector('#stage .tile[data-tile="0"]').outerHTML.slice(0, 600)`)
		t.Fatalf("tile 0 does not play: %v\n%s\ncamera: %s", err, st, debugCamera(t, g.URL()))
	}
	admin.AssertPlaying(`#stage .tile[data-tile="0"] video`, time.Second, 5, wait)
	admin.WaitVisible(`#stage .tile[data-tile="0"] .ptz-panel`, wait)

	p := cams.PTZ("dome")
	panRightChangesPicture(t, admin, p, wait)
	saved := presetRoundTrip(t, admin, p, wait)
	disp := dispatcherSeesLock(t, g.URL(), wait)
	if p.Position() != saved {
		t.Error("the dispatcher's press moved the dome the admin holds")
	}
	for _, b := range []*browsertest.Browser{admin, disp} {
		for _, e := range b.Errors(expectedError) {
			t.Errorf("page error: %s (%s)", e, e.URL)
		}
	}
}

const padRight = `#stage .tile[data-tile="0"] [data-ptz-dir="ptz-1-0"]`

// startDomeSim serves a fixed camera and a dome, both ONVIF devices that
// announce themselves on lo, with clocks an hour off.
func startDomeSim(t *testing.T) (*sim.Server, *sim.ONVIF) {
	t.Helper()
	cams, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"fixed", "dome"}, PTZ: []string{"dome"},
		Width: 320, Height: 180, Username: "admin", Password: domePassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cams.Close)
	dev, err := cams.StartONVIF(sim.ONVIFOptions{Announce: true, Interface: "lo", ClockSkew: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dev.Close)
	return cams, dev
}

// addDiscoveredDome discovers the devices on the admin page and adds the
// dome: two clicks; it returns the config lines the page wrote.
func addDiscoveredDome(t *testing.T, admin *browsertest.Browser, dev *sim.ONVIF, wait time.Duration) string {
	t.Helper()
	admin.Click("#nav-admin")
	admin.WaitVisible("#onvif-discover", wait)
	admin.Fill("#onvif-user", "admin")
	admin.Fill("#onvif-pass", domePassword)
	admin.Click("#onvif-discover")
	admin.WaitFor(`[...document.querySelectorAll('#onvif-devices tbody tr')].some((r) => r.textContent.includes('dome'))`, wait)
	idx := browsertest.MustEval[int](admin, `[...document.querySelectorAll('#onvif-devices tbody tr')].findIndex((r) => r.cells[0].textContent === 'dome')`)
	admin.Click(fmt.Sprintf(`#onvif-devices button[data-onvif-add="%d"]`, idx))
	admin.WaitVisible("#onvif-snippet", wait)
	snippet := admin.Text("#onvif-snippet")
	port := dev.Addr("dome")[strings.LastIndex(dev.Addr("dome"), ":")+1:]
	if !strings.Contains(snippet, "id: dome") || !strings.Contains(snippet, "port: "+port) {
		t.Fatalf("snippet %q", snippet)
	}
	return snippet
}

// panRightChangesPicture holds the pad right for about a second: the
// simulated crop window moves right and the decoded picture changes.
func panRightChangesPicture(t *testing.T, admin *browsertest.Browser, p *sim.PTZ, wait time.Duration) {
	t.Helper()
	x0, _ := p.View()
	before := browsertest.MustEval[[]int](admin, centerLuma)
	if still := browsertest.MustEval[[]int](admin, centerLuma); len(before) != 16 || differs(before, still) {
		t.Fatalf("the still picture's samples differ: %v %v", before, still)
	}
	admin.Press(padRight)
	testwait.For(t, "the dome to pan right for about a second", func() bool { return p.Position().Pan >= 0.25 })
	admin.Release(padRight)
	testwait.For(t, "the dome to stop on release", func() bool { return !p.Moving() })
	if x1, _ := p.View(); x1 <= x0 {
		t.Fatalf("crop window at %.3f, was %.3f", x1, x0)
	}
	admin.WaitFor(fmt.Sprintf(`(() => { const a = %s, b = %s;
		return a.length === 16 && a.some((v, i) => Math.abs(v - b[i]) > 12); })()`, centerLuma, jsonInts(before)), wait)
}

// presetRoundTrip saves a preset, pans away and goes back to it.
func presetRoundTrip(t *testing.T, admin *browsertest.Browser, p *sim.PTZ, wait time.Duration) onvif.Vector {
	t.Helper()
	saved := p.Position()
	admin.Fill(`#stage .ptz-name`, "站台北端")
	admin.Click(`#stage [data-ptz-action="save"]`)
	admin.WaitFor(`[...document.querySelectorAll('#stage .ptz-presets option')].some((o) => o.textContent === '站台北端')`, wait)
	left := `#stage .tile[data-tile="0"] [data-ptz-dir="ptz--1-0"]`
	admin.Press(left)
	testwait.For(t, "the dome to pan left", func() bool { return p.Position().Pan < saved.Pan-0.05 })
	admin.Release(left)
	admin.Click(`#stage [data-ptz-action="goto"]`)
	testwait.For(t, "the dome to go to the preset", func() bool { return p.Position() == saved })
	return saved
}

// dispatcherSeesLock logs a dispatcher (a lower role) in in a second
// browser: pressing the pad shows that the admin holds the dome.
func dispatcherSeesLock(t *testing.T, base string, wait time.Duration) *browsertest.Browser {
	t.Helper()
	createUser(t, base, "disp", "dispatcher")
	disp := browsertest.New(t)
	disp.Viewport(1280, 800)
	disp.Navigate(base + "/?cameras=dome&grid=1")
	disp.WaitVisible("#login-form", wait)
	disp.Fill("#login-username", "disp")
	disp.Fill("#login-password", "Disp-Passw0rd-1")
	disp.Click("#login-submit")
	disp.WaitVisible(`#stage .tile[data-tile="0"] .ptz-panel`, wait)
	disp.Press(padRight)
	disp.Release(padRight)
	disp.WaitFor(`document.querySelector('#stage .ptz-panel').dataset.ptzLock === 'admin'`, wait)
	if lock := disp.Text(`#stage .ptz-lock`); !strings.Contains(lock, "admin") || !strings.Contains(lock, "管理员") {
		t.Errorf("lock notice %q", lock)
	}
	return disp
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func jsonInts(v []int) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// createUser makes a user through the API as admin.
func createUser(t *testing.T, base, name, role string) {
	t.Helper()
	post := func(path, token string, body any) *http.Response {
		data, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("/api/session", "", map[string]string{"username": "admin", "password": adminPassword})
	var s struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	resp = post("/api/users", s.Token, map[string]any{"username": name, "password": "Disp-Passw0rd-1", "role": role,
		"stations": []string{}, "must_change_password": false})
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create user %s: %s", name, resp.Status)
	}
}

func debugCamera(t *testing.T, base string) string {
	resp := func() *http.Response {
		data, _ := json.Marshal(map[string]string{"username": "admin", "password": adminPassword})
		r, err := http.Post(base+"/api/session", "application/json", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}()
	var s struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", base+"/api/cameras/dome", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer r.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	return b.String()
}
