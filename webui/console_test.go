package webui_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vigil/gateway/browsertest"
	"vigil/internal/testwait"
)

const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed

func startConsole(t *testing.T) (*browsertest.Browser, *fakeAPI, string) {
	t.Helper()
	b := browsertest.New(t)
	b.Viewport(1440, 900)
	api := newFakeAPI()
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)
	return b, api, srv.URL
}

func login(b *browsertest.Browser, user, pass string) {
	b.Fill("#login-username", user)
	b.Fill("#login-password", pass)
	b.Click("#login-submit")
}

// tileCameras lists the cameras on the visible tiles ("" for an empty one).
func tileCameras(b *browsertest.Browser) []string {
	return browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#stage .tile:not([hidden])')].map(e => e.dataset.camera || '')`)
}

// assigned returns the last assignment the fake gateway received per tile.
func assigned(api *fakeAPI) map[int]string {
	out := map[int]string{}
	for _, m := range api.messages("") {
		tile, _ := m["tile"].(float64)
		switch m["type"] {
		case "assign":
			out[int(tile)] = fmt.Sprintf("%s/%s", m["camera"], m["quality"])
		case "clear":
			delete(out, int(tile))
		}
	}
	return out
}

// The login form, the tree and the console's chrome against the fake API.
func TestConsoleLoginAndTree(t *testing.T) {
	b, _, base := startConsole(t)
	shots := t.ArtifactDir()

	b.Navigate(base + "/")
	b.WaitVisible("#login-form", wait)
	if got := b.Text("#login-submit"); got != "登录" {
		t.Errorf("login button %q, want Chinese by default", got)
	}
	login(b, "admin", "wrong")
	b.WaitVisible("#login-error", wait)
	if got := b.Text("#login-error"); got != "用户名或密码错误。" {
		t.Errorf("wrong password message %q", got)
	}
	login(b, "flood", "x")
	b.WaitFor(`document.querySelector('#login-error').textContent.includes('秒后再试')`, wait)
	if got := b.Text("#login-error"); !strings.Contains(got, "过于频繁") || !strings.Contains(got, "30") && !strings.Contains(got, "29") {
		t.Errorf("rate limit message %q", got)
	}
	if disabled := browsertest.MustEval[bool](b, `document.querySelector('#login-submit').disabled`); !disabled {
		t.Error("submit stays enabled while rate limited")
	}
	b.Screenshot(filepath.Join(shots, "login-rate-limited.png"))

	b.Reload()
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitVisible("#console-view", wait)
	b.WaitFor(`document.querySelectorAll('#tree .station').length === 5`, wait)
	names := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('.station-name')].map(e => e.textContent)`)
	if strings.Join(names, ",") != "北京西站,北京站,北京南站,北京北站,清河站" {
		t.Errorf("stations %v", names)
	}
	buttons := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#station-bar .sb-name')].map(e => e.textContent)`)
	if strings.Join(buttons, ",") != "北京西站,北京站,北京南站,北京北站,清河站" {
		t.Errorf("station buttons %v", buttons)
	}
	if n := browsertest.MustEval[int](b, `document.querySelectorAll('.cam .dot-online').length`); n != 18 {
		t.Errorf("%d online dots, want 18", n)
	}
	title := browsertest.MustEval[string](b, `document.querySelector('[data-camera="bj-hall-03"] .dot').title`)
	if title != "摄像机认证失败" {
		t.Errorf("offline reason on hover %q", title)
	}
	if got := b.Text("#topnav .active"); got != "实时监控" {
		t.Errorf("top navigation %q", got)
	}

	b.Fill("#search", "bjn-")
	visible := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('#tree .cam')].filter(e => e.offsetParent).map(e => e.dataset.camera)`)
	if len(visible) != 4 || !strings.HasPrefix(visible[0], "bjn-") {
		t.Errorf("search bjn-: visible %v", visible)
	}
	b.Fill("#search", "候车")
	if n := browsertest.MustEval[int](b, `[...document.querySelectorAll('#tree .cam')].filter(e => e.offsetParent).length`); n != 5 {
		t.Errorf("search 候车: %d cameras, want 5", n)
	}
	b.Fill("#search", "")

	b.Click(".topbar .lang-toggle")
	b.WaitFor(`document.querySelector('.station-name').textContent === 'Beijing West'`, wait)
	b.Reload()
	b.WaitFor(`document.querySelector('.station-name')?.textContent === 'Beijing West'`, wait)
	if got := b.Text("#logout"); got != "Sign out" {
		t.Errorf("after reload, logout %q: language not remembered", got)
	}
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"] .chip').textContent === 'Live'`, wait)
	b.Screenshot(filepath.Join(shots, "console-en.png"))

	missing := browsertest.MustEval[map[string][]string](b, `import('/assets/i18n.js').then((m) => m.missingKeys())`)
	for lang, keys := range missing {
		if len(keys) > 0 {
			t.Errorf("i18n: %s lacks %v", lang, keys)
		}
	}

	b.Click("#logout")
	b.WaitVisible("#login-form", wait)
	if got := b.Text("#login-submit"); got != "Sign in" {
		t.Errorf("login after logout %q", got)
	}
	checkErrors(t, b)
}

// The grid: station buttons, grids and qualities, tree clicks, drag and
// drop, keys, focus, tile states, live camera health, reconnection.
func TestConsoleGrid(t *testing.T) {
	b, api, base := startConsole(t)
	b.Navigate(base + "/?station=bjx&grid=2x2")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitVisible("#console-view", wait)

	// The URL's view opens after login, on one peer connection.
	b.WaitFor(`[...document.querySelectorAll('#stage .tile[data-state="playing"]')].length === 4`, wait)
	if got := strings.Join(tileCameras(b), ","); got != "bjx-nsq-01,bjx-ssq-02,bjx-hall-03,bjx-plat-04" {
		t.Errorf("bjx 2x2 tiles %s", got)
	}
	if n := browsertest.MustEval[int](b, `window.__browsertest.peers.length`); n != 1 {
		t.Errorf("%d peer connections, want 1", n)
	}
	if n := browsertest.MustEval[int](b, `window.__browsertest.peers[0].getTransceivers().length`); n != 26 {
		t.Errorf("%d transceivers, want 25 video and 1 audio", n)
	}
	if got := assigned(api); got[0] != "bjx-nsq-01/main" || len(got) != 4 {
		t.Errorf("assignments %v, want 4 in main quality", got)
	}

	// A station button: the whole grid changes, the URL follows.
	b.Click(`#station-bar [data-station="bj"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'bj-nsq-01'`, wait)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="2"]').dataset.state === 'offline'`, wait)
	if got := b.Text(`#stage .tile[data-tile="2"] .tile-msg`); !strings.Contains(got, "摄像机认证失败") {
		t.Errorf("offline tile message %q", got)
	}
	if got := browsertest.MustEval[string](b, `location.search`); got != "?station=bj&grid=2x2" {
		t.Errorf("URL %q after the station button", got)
	}

	// 3x3 asks for sub streams; the camera from the tree goes to the selected tile.
	b.Click(`#grid-bar [data-grid="3x3"]`)
	b.WaitFor(`document.querySelectorAll('#stage .tile:not([hidden])').length === 9`, wait)
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-state="playing"]').length === 3`, wait)
	if got := assigned(api); got[0] != "bj-nsq-01/sub" {
		t.Errorf("3x3 assignments %v, want sub", got)
	}
	b.Key("5")
	b.Click(`#tree [data-camera="qh-nsq-01"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="4"]').dataset.state === 'denied'`, wait)
	b.Screenshot(filepath.Join(t.ArtifactDir(), "console-3x3-states.png"))
	if got := b.Text(`#stage .tile[data-tile="4"] .tile-msg`); got != "无权查看此摄像机" {
		t.Errorf("denied tile message %q", got)
	}
	if !browsertest.MustEval[bool](b, `document.querySelector('#stage .tile[data-tile="5"]').classList.contains('selected')`) {
		t.Error("selection did not move on after a tree click")
	}

	// Drag a camera from the tree onto a tile, and a tile onto another (swap).
	b.Drag(`#tree [data-camera="bjn-plat-04"]`, `#stage .tile[data-tile="8"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="8"]').dataset.camera === 'bjn-plat-04'`, wait)
	b.Drag(`#stage .tile[data-tile="8"]`, `#stage .tile[data-tile="0"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'bjn-plat-04'`, wait)
	if got := tileCameras(b); got[8] != "bj-nsq-01" {
		t.Errorf("after the swap tile 9 shows %q, want bj-nsq-01", got[8])
	}
	b.WaitFor(`location.search.startsWith('?cameras=bjn-plat-04,bj-ssq-02,')`, wait)

	// Keys: arrows move, F focuses (main quality), Esc leaves, Delete clears.
	b.Key("1")
	b.Key(kb.ArrowRight)
	b.Key(kb.ArrowDown)
	if sel := browsertest.MustEval[string](b, `document.querySelector('#stage .tile.selected').dataset.tile`); sel != "4" {
		t.Errorf("after 1, right, down the selected tile is %s, want 4", sel)
	}
	b.Key("f")
	b.WaitFor(`document.querySelector('#stage .grid').classList.contains('is-focused')`, wait)
	b.WaitFor(`document.querySelectorAll('#stage .tile').length && [...document.querySelectorAll('#stage .tile')].filter(e => e.offsetParent).length === 1`, wait)
	b.Key(kb.Escape)
	b.WaitFor(`!document.querySelector('#stage .grid').classList.contains('is-focused')`, wait)
	b.DoubleClick(`#stage .tile[data-tile="1"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="1"]').classList.contains('focused')`, wait)
	if got := assigned(api); got[1] != "bj-ssq-02/main" {
		t.Errorf("focused tile assignment %q, want main", got[1])
	}
	b.DoubleClick(`#stage .tile[data-tile="1"]`)
	b.WaitFor(`!document.querySelector('#stage .grid').classList.contains('is-focused')`, wait)
	b.Key("2")
	b.Key(kb.Delete)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="1"]').dataset.state === 'empty'`, wait)

	// A health change pushed over the WebSocket updates the tree at once.
	api.broadcast(map[string]any{"type": "camera", "id": "bjb-plat-04", "station": "bjb", "state": "offline", "reason": "timeout"})
	b.WaitFor(`document.querySelector('#tree [data-camera="bjb-plat-04"] .dot').classList.contains('dot-offline')`, wait)

	// A dropped WebSocket: the console reconnects and restores every tile.
	offers := len(api.messages("offer"))
	before := tileCameras(b)
	api.dropAll()
	// The old peer and its playing tiles are still there until the console
	// sees the drop: wait for the new offer first.
	testwait.For(t, "a new offer after the drop", func() bool { return len(api.messages("offer")) > offers })
	b.WaitFor(`window.__browsertest.peers.length === 1 && document.querySelectorAll('#stage .tile[data-state="playing"]').length >= 3`, wait)
	if n := len(api.messages("offer")); n != offers+1 {
		t.Errorf("%d offers after the drop, want %d", n, offers+1)
	}
	if got := tileCameras(b); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Errorf("tiles after reconnect %v, want %v", got, before)
	}

	checkErrors(t, b)
}

// Saved layouts and the video wall kiosk.
func TestConsoleLayoutsAndWall(t *testing.T) {
	b, api, base := startConsole(t)
	b.Navigate(base + "/?cameras=bjn-nsq-01,bjn-ssq-02,,bj-nsq-01&grid=1+5")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-state="playing"]').length === 3`, wait)
	if got := strings.Join(tileCameras(b), ","); got != "bjn-nsq-01,bjn-ssq-02,,bj-nsq-01,," {
		t.Errorf("1+5 tiles %s", got)
	}
	if got := assigned(api); got[0] != "bjn-nsq-01/main" || got[1] != "bjn-ssq-02/sub" {
		t.Errorf("1+5 qualities %v: the big tile main, the rest sub", got)
	}

	b.Click("#layouts-btn")
	b.WaitVisible("#layout-name", wait)
	b.Fill("#layout-name", "南站早高峰")
	b.Click("#layout-save")
	b.WaitFor(`location.search === '?layout=L1'`, wait)
	b.Reload()
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-state="playing"]').length === 3`, wait)
	b.Click(`#station-bar [data-station="qh"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'qh-nsq-01'`, wait)
	b.Click("#layouts-btn")
	b.WaitVisible(`[data-layout="L1"] .layout-open`, wait)
	b.Screenshot(filepath.Join(t.ArtifactDir(), "layouts-menu.png"))
	b.Click(`[data-layout="L1"] .layout-open`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'bjn-nsq-01'`, wait)

	// The wall kiosk in a second browser follows a push from the console.
	w := browsertest.New(t)
	w.Navigate(base + "/wall/main")
	w.WaitVisible("#login-form", wait)
	login(w, "admin", "s3cret-pass")
	w.WaitVisible("#wall-note", wait)
	b.Click("#walls-btn")
	b.WaitVisible(`[data-wall="main"]`, wait)
	b.Click(`[data-wall="main"]`)
	w.WaitFor(`document.querySelector('#wall-stage .tile[data-tile="0"]').dataset.camera === 'bjn-nsq-01' && document.querySelector('#wall-note').hidden`, wait)
	w.Screenshot(filepath.Join(t.ArtifactDir(), "wall.png"))
	if got := browsertest.MustEval[string](w, `document.querySelector('#wall-stage .grid').dataset.grid`); got != "1+5" {
		t.Errorf("wall grid %q", got)
	}
	if browsertest.MustEval[bool](w, `!document.querySelector('#console-view').hidden`) {
		t.Error("the wall kiosk shows the console chrome")
	}
	checkErrors(t, b)
	checkErrors(t, w)
}

// Pure helpers of the modules, run in the page.
func TestConsoleModules(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/")
	b.WaitVisible("#login-form", wait)
	cases := map[string]string{
		`import('/assets/signal.js').then((m) => [1, 2, 3, 4, 5, 9].map((n) => m.backoff(n, () => 0.5)))`: "[1 2 4 8 10 10]",
		`import('/assets/signal.js').then((m) => [m.drainBackoff(() => 0), m.drainBackoff(() => 1)])`:     "[0.5 2]",
		`import('/assets/api.js').then((m) => [m.parseRetryAfter('7'), m.parseRetryAfter(''), m.parseRetryAfter('soon'),
			m.parseRetryAfter(new Date(Date.now() + 60000).toUTCString()) > 55 ? 1 : 0])`: "[7 0 0 1]",
		`import('/assets/grids.js').then((m) => ['1', '2x2', '3x3', '4x4', '5x5', '1+5', '1+7', '6x6'].map(m.gridCount))`: "[1 4 9 16 25 6 8 0]",
		`import('/assets/grids.js').then((m) => [m.qualityFor('2x2', 3), m.qualityFor('3x3', 0), m.qualityFor('3x3', 0, true),
			m.qualityFor('1+5', 0), m.qualityFor('1+5', 1), m.qualityFor('1+7', 0), m.qualityFor('1+7', 7)])`: "[main sub main main sub main sub]",
		`import('/assets/grids.js').then((m) => [m.neighbour('1+5', 0, 'ArrowRight'), m.neighbour('1+5', 2, 'ArrowLeft'),
			m.neighbour('1+5', 4, 'ArrowUp'), m.neighbour('1+7', 7, 'ArrowUp'), m.neighbour('3x3', 2, 'ArrowRight'), m.neighbour('3x3', 4, 'ArrowDown')])`: "[1 0 0 3 2 7]",
		`import('/assets/viewurl.js').then((m) => [
			m.viewSearch({source: {kind: 'station', id: 'bjx'}, grid: '2x2', cameras: []}),
			m.viewSearch({source: null, grid: '1+5', cameras: ['a-1', '', 'b-2', '', '']}),
			m.viewSearch({source: {kind: 'layout', id: 'L7'}, grid: '3x3', cameras: ['a']}),
			m.viewSearch({source: null, grid: '3x3', cameras: ['', '']}),
			JSON.stringify(m.parseView('?cameras=a-1,,B!,b-2&grid=1+5')),
			JSON.stringify(m.parseView('?grid=1%2B7&station=bjx&layout=station:bjx')),
			m.viewSearch({source: {kind: 'station', id: 'bjx', page: 11}, grid: '5x5', cameras: []}),
			JSON.stringify(m.parseView('?station=bjx&grid=5x5&page=12').page), JSON.stringify(m.parseView('?page=0').page)])`: `[?station=bjx&grid=2x2 ?cameras=a-1,,b-2&grid=1%2B5 ?layout=L7  ` +
			`{"station":"","layout":"","grid":"1+5","cameras":["a-1","","","b-2"],"page":0} {"station":"bjx","layout":"station:bjx","grid":"1+7","cameras":[],"page":0} ` +
			`?station=bjx&grid=5x5&page=12 11 0]`,
	}
	for expr, want := range cases {
		got := browsertest.MustEval[any](b, expr)
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s\n got %s\nwant %s", expr, s, want)
		}
	}
}

// checkErrors fails on page errors other than the refused requests the
// tests provoke (401 before login and for wrong passwords, 429, 404).
func checkErrors(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	for _, e := range b.Errors(func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "status of")
	}) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}
