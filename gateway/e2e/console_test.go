// Package e2e runs the whole gateway in demo mode and drives the console in
// headless Chromium: login, the station grid on one peer connection over the
// console WebSocket, layouts and a video wall.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/gateway"
	"vigil/gateway/browsertest"
	"vigil/internal/testwait"
)

const adminPassword = "e2e-Admin-Passw0rd"

func startGateway(t *testing.T) *gateway.Gateway {
	t.Helper()
	return startGatewayIn(t, t.TempDir())
}

// startGatewayIn runs the demo gateway on dataDir (which may hold recordings).
func startGatewayIn(t *testing.T, dataDir string) *gateway.Gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g, err := gateway.New(ctx, gateway.Options{
		HTTPAddr:      "127.0.0.1:0",
		DataDir:       dataDir,
		WebRTCUDPAddr: "127.0.0.1:0",
		WebRTCTCPAddr: "127.0.0.1:0",
		AdminPassword: adminPassword,
		Logger:        slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("gateway.Close: %v", err)
		}
	})
	t.Cleanup(func() { // before Close: cleanups run last registered first
		if t.Failed() {
			logCameraFlow(t, g)
			logConsoleGoroutines(t)
		}
	})
	return g
}

// logCameraFlow tells, for a failed test, each demo camera's last picture
// sent from its last frame received: a camera that sent nothing for a
// while (starved of CPU) reads differently from a gateway that read
// nothing of what it sent.
func logCameraFlow(t *testing.T, g *gateway.Gateway) {
	now := time.Now()
	ago := func(at time.Time) string {
		if at.IsZero() {
			return "never"
		}
		return now.Sub(at).Round(time.Millisecond).String() + " ago"
	}
	for _, id := range g.Demo().Cameras() {
		c, ok := g.Catalog().Camera(id)
		if !ok {
			continue
		}
		line := fmt.Sprintf("camera %s: sent %s, main hub's last frame %s", id, ago(g.Demo().LastSent(id)), ago(c.MainHub.Stats().LastFrame))
		if c.SubHub != nil {
			line += ", sub hub's " + ago(c.SubHub.Stats().LastFrame)
		}
		t.Log(line)
	}
}

// logConsoleGoroutines logs, for a failed test, the stacks of the
// goroutines serving consoles (signal's connections and the WebRTC feeds):
// a connection stuck in one call reads differently from one that never got
// the console's message.
func logConsoleGoroutines(t *testing.T) {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "vigil/gateway/signal.") || strings.Contains(g, "vigil/streams/webrtc.(*Feed)") {
			t.Log(g)
		}
	}
}

// The page is expected to log exactly one kind of error: the 401 of
// GET /api/session when it asks, before login, whether a session exists.
func expectedError(m chromedp.ConsoleMessage) bool {
	return m.Source == "network" && strings.HasSuffix(m.URL, "/api/session") && strings.Contains(m.Text, "401")
}

// The dispatch console end to end: one peer connection carries every tile;
// station buttons switch the whole grid without renegotiation; drag and
// drop, focus, a saved layout that survives a reload, and a video wall that
// follows a push.
func TestConsoleDispatch(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	keep := os.Getenv("VIGIL_SCREENSHOTS") == "1"

	b.Navigate(g.URL() + "/")
	logIn(b, wait)
	b.WaitFor(`document.querySelectorAll('#tree .station').length === 5`, wait)
	b.WaitFor(allCamerasOnline, 60*time.Second)

	// 北京西站 in 2x2: four tiles, four different cameras, all decoding.
	b.Click(`#station-bar [data-station="bjx"]`)
	b.Click(`#grid-bar [data-grid="2x2"]`)
	waitTiles(t, b, "#stage", 4, "bjx-", wait)
	if n := browsertest.MustEval[int](b, `window.__browsertest.peers.length`); n != 1 {
		t.Fatalf("%d peer connections, want exactly one for the console", n)
	}
	assertTilesPlay(t, b, "#stage", 4)
	shot(t, b, keep, "console-2x2.png")

	// 北京南站: the same four transceivers switch cameras, no new handshake.
	b.Exec(`window.__browsertest.peers[0].__e2e = 'first'`)
	b.Click(`#station-bar [data-station="bjn"]`)
	// How fast (under 2 s on an idle machine) is reported, not asserted.
	took := waitSwitched(t, b, "bjn-", 4)
	t.Logf("北京南站: 4 new cameras decoding %v after the click", took.Round(time.Millisecond))
	if !browsertest.MustEval[bool](b, `window.__browsertest.peers.length === 1 && window.__browsertest.peers[0].__e2e === 'first'`) {
		t.Errorf("the station switch replaced the peer connection")
	}
	if got := browsertest.MustEval[string](b, `location.search`); got != "?station=bjn&grid=2x2" {
		t.Errorf("URL %q, want the station view", got)
	}

	// Drag a camera from the tree onto a tile.
	b.Drag(`#tree [data-camera="qh-hall-01"]`, `#stage .tile[data-tile="3"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="3"]').dataset.camera === 'qh-hall-01' &&
		document.querySelector('#stage .tile[data-tile="3"]').dataset.state === 'playing'`, wait)
	p := b.AssertPlaying(`#stage .tile[data-tile="3"] video`, time.Second, 10, wait)
	t.Logf("dropped qh-hall-01: %d frames in %v", p.Frames(), p.Over.Round(time.Millisecond))

	// Double-click focuses a tile full-size (main stream), and back.
	b.DoubleClick(`#stage .tile[data-tile="1"]`)
	b.WaitFor(`document.querySelector('#stage .tile.focused')?.dataset.tile === '1' &&
		[...document.querySelectorAll('#stage .tile')].filter((e) => e.offsetParent).length === 1`, wait)
	p = b.AssertPlaying(`#stage .tile[data-tile="1"] video`, time.Second, 10, wait)
	size := browsertest.MustEval[[]int](b, `(() => { const v = document.querySelector('#stage .tile[data-tile="1"] video'); return [v.clientWidth, v.videoWidth]; })()`)
	t.Logf("focused tile: %d frames in %v, %dpx wide showing %dpx video", p.Frames(), p.Over.Round(time.Millisecond), size[0], size[1])
	b.DoubleClick(`#stage .tile[data-tile="1"]`)
	b.WaitFor(`!document.querySelector('#stage .grid').classList.contains('is-focused')`, wait)

	// A shared link opens a 4x4 of sixteen cameras (sub streams).
	ids := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#tree .cam')].map((e) => e.dataset.camera).slice(0, 16)`)
	b.Navigate(g.URL() + "/?cameras=" + strings.Join(ids, ",") + "&grid=4x4")
	waitTiles(t, b, "#stage", 16, "", wait)
	assertTilesPlay(t, b, "#stage", 16)
	b.Hover(`#stage .tile[data-tile="5"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="5"] .tile-stats').textContent.includes('×')`, wait)
	t.Logf("hover statistics: %s", b.Text(`#stage .tile[data-tile="5"] .tile-stats`))
	shot(t, b, keep, "console-4x4.png")

	// Save a 2x2 layout; after a reload it is listed and opens.
	b.Click(`#grid-bar [data-grid="2x2"]`)
	b.Click("#layouts-btn")
	b.WaitVisible("#layout-name", wait)
	b.Fill("#layout-name", "e2e 早高峰")
	b.Click("#layout-save")
	b.WaitFor(`location.search.startsWith('?layout=')`, wait)
	layoutURL := browsertest.MustEval[string](b, `location.href`)
	b.Click(`#station-bar [data-station="bj"]`)
	waitTiles(t, b, "#stage", 4, "bj-", wait)
	b.Navigate(g.URL() + "/")
	b.WaitVisible("#console-view", wait)
	b.Click("#layouts-btn")
	b.WaitFor(`[...document.querySelectorAll('.layout-open .menu-label')].some((e) => e.textContent === 'e2e 早高峰')`, wait)
	b.Exec(`[...document.querySelectorAll('.layout-open')].find((e) => e.textContent.includes('e2e 早高峰')).click()`)
	waitTiles(t, b, "#stage", 4, "", wait)
	if got := browsertest.MustEval[string](b, `location.href`); got != layoutURL {
		t.Errorf("opened layout at %s, saved at %s", got, layoutURL)
	}
	if got := strings.Join(tileCameras(b, "#stage"), ","); got != strings.Join(ids[:4], ",") {
		t.Errorf("saved layout shows %s, want %s", got, strings.Join(ids[:4], ","))
	}

	// A dropped WebSocket: the console reconnects by itself, with a new peer
	// connection, and every tile plays again without a reload.
	b.Exec(`window.__browsertest.peers[0].__e2e = 'old'; window.__browsertest.socket.close()`)
	dropped := time.Now()
	b.WaitFor(`window.__browsertest.peers.length === 1 && window.__browsertest.peers[0].__e2e !== 'old'`, wait)
	waitTiles(t, b, "#stage", 4, "", wait)
	t.Logf("WebSocket closed: 4 tiles playing again after %v", time.Since(dropped).Round(time.Millisecond))
	assertTilesPlay(t, b, "#stage", 4)

	// The wall kiosk in a second browser follows a push. How fast (about a
	// second on an idle machine) is reported, not asserted: a busy machine
	// makes it slower without anything being wrong.
	w := browsertest.New(t)
	w.Viewport(960, 540)
	w.Navigate(g.URL() + "/wall/main")
	logIn(w, wait)
	w.WaitVisible("#wall-stage .grid", wait)
	w.WaitFor(`window.__browsertest.peers.length === 1`, wait)
	b.Click("#walls-btn")
	b.WaitVisible(`[data-wall="main"]`, wait)
	pushed := time.Now()
	b.Click(`[data-wall="main"]`)
	w.WaitFor(`document.querySelector('#wall-stage .tile[data-tile="0"]').dataset.camera === '`+ids[0]+`'`, wait)
	followed := time.Since(pushed)
	waitTiles(t, w, "#wall-stage", 4, "", wait)
	playing := time.Since(pushed)
	t.Logf("wall: layout after %v, 4 tiles playing after %v", followed.Round(time.Millisecond), playing.Round(time.Millisecond))
	assertTilesPlay(t, w, "#wall-stage", 4)
	if browsertest.MustEval[bool](w, `!document.querySelector('#console-view').hidden`) {
		t.Error("the wall kiosk shows the console chrome")
	}

	for _, br := range []*browsertest.Browser{b, w} {
		for _, e := range br.Errors(expectedError) {
			t.Errorf("page error: %s (%s)", e, e.URL)
		}
	}
}

func logIn(b *browsertest.Browser, wait time.Duration) {
	b.WaitVisible("#login-form", wait)
	b.Fill("#login-username", "admin")
	b.Fill("#login-password", adminPassword)
	b.Click("#login-submit")
}

// tileCameras lists the cameras of the visible tiles of a stage.
func tileCameras(b *browsertest.Browser, stage string) []string {
	return browsertest.MustEval[[]string](b, `[...document.querySelectorAll('`+stage+` .tile:not([hidden])')].map((e) => e.dataset.camera || '')`)
}

// waitTiles waits until the first n tiles of stage play (per the gateway's
// tile messages) n different cameras whose ids start with prefix.
func waitTiles(t *testing.T, b *browsertest.Browser, stage string, n int, prefix string, wait time.Duration) {
	t.Helper()
	expr := fmt.Sprintf(`(() => {
  const tiles = [...document.querySelectorAll('%s .tile')].slice(0, %d);
  const msgs = window.__browsertest.tiles;
  const cams = tiles.map((e, i) => e.dataset.state === 'playing' && msgs[i]?.state === 'playing' &&
    msgs[i].camera === e.dataset.camera && e.dataset.camera.startsWith(%q) ? e.dataset.camera : null);
  return cams.every(Boolean) && new Set(cams).size === %d;
})()`, stage, n, prefix, n)
	err := b.Run(wait, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(wait)))
	if err == nil {
		return
	}
	// What the page shows and what the gateway last said of each tile:
	// a view put back by a late answer reads differently from tiles the
	// gateway never reported playing.
	page, evalErr := browsertest.Eval[string](b, fmt.Sprintf(`JSON.stringify({
  view: location.search,
  tiles: [...document.querySelectorAll('%s .tile')].slice(0, %d).map((e) => [e.dataset.camera, e.dataset.state]),
  reports: (window.__browsertest.tiles || []).slice(0, %d).map((m) => m && [m.camera, m.state, m.reason]),
})`, stage, n, n))
	t.Fatalf("%d %q tiles of %s playing: %v\nthe page: %s %v", n, prefix, stage, err, page, evalErr)
}

// assertTilesPlay proves the first n tiles of stage decode: framesDecoded of
// each tile's track grows by at least 10. It waits on that, not on a
// window: a reader that fell behind on a loaded machine may wait for the
// next keyframe (2 s in demo mode) without anything being wrong.
func assertTilesPlay(t *testing.T, b *browsertest.Browser, stage string, n int) {
	t.Helper()
	read := func() []int {
		out := make([]int, n)
		for i := range out {
			f, err := b.FramesDecoded(fmt.Sprintf(`%s .tile[data-tile="%d"] video`, stage, i))
			if err != nil {
				t.Fatalf("framesDecoded tile %d: %v", i, err)
			}
			out[i] = f
		}
		return out
	}
	before := read()
	start := time.Now()
	var after []int
	testwait.For(t, fmt.Sprintf("%d tiles of %s decoding 10 more frames each", n, stage), func() bool {
		after = read()
		for i := range n {
			if after[i]-before[i] < 10 {
				return false
			}
		}
		return true
	})
	t.Logf("%s: %d tiles decoded %v → %v frames in %v", stage, n, before, after, time.Since(start).Round(time.Millisecond))
}

// waitSwitched waits until tiles 0..n-1 show cameras starting with prefix
// and each has decoded new frames since the gateway reported it playing; it
// returns the time taken and logs when each tile got there.
func waitSwitched(t *testing.T, b *browsertest.Browser, prefix string, n int) time.Duration {
	t.Helper()
	start := time.Now()
	base := map[int]int{}
	playing := map[int]time.Duration{}
	decoding := map[int]time.Duration{}
	testwait.For(t, fmt.Sprintf("tiles switched to %s* and decoding", prefix), func() bool {
		states := browsertest.MustEval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('#stage .tile')].slice(0, %d)
			.map((e, i) => e.dataset.state === 'playing' && window.__browsertest.tiles[i]?.camera === e.dataset.camera ? e.dataset.camera : '')`, n))
		for i, cam := range states {
			if _, ok := decoding[i]; ok || !strings.HasPrefix(cam, prefix) {
				continue
			}
			f, err := b.FramesDecoded(fmt.Sprintf(`#stage .tile[data-tile="%d"] video`, i))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := base[i]; !ok {
				base[i], playing[i] = f, time.Since(start)
			} else if f >= base[i]+2 {
				decoding[i] = time.Since(start)
			}
		}
		return len(decoding) >= n
	})
	for i := range n {
		t.Logf("tile %d: playing after %v, decoding after %v", i+1, playing[i].Round(time.Millisecond), decoding[i].Round(time.Millisecond))
	}
	return time.Since(start)
}

// shot saves a screenshot into docs/ when VIGIL_SCREENSHOTS=1, else into
// the test's temporary directory.
func shot(t *testing.T, b *browsertest.Browser, keep bool, name string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	b.Screenshot(path)
	if keep {
		keepScreenshot(t, path, filepath.Join("..", "..", "docs", name))
	}
}

// keepScreenshot re-encodes the PNG with the best compression into dst.
func keepScreenshot(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot kept in %s (%d KB)", dst, out.Len()/1024)
}
