package webui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/gateway/browsertest"
	"vigil/webui"
)

// fakeAPI is the part of the gateway's API that the console uses, without
// video: WHEP answers with errors only (playback is proven in gateway/e2e).
type fakeAPI struct {
	mu       sync.Mutex
	sessions map[string]bool
	whep     []string // cameras asked for
}

const fakeCookie = "vigil_session"

func newFakeAPI() *fakeAPI { return &fakeAPI{sessions: map[string]bool{}} }

func (f *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", webui.Handler(""))
	mux.HandleFunc("POST /api/session", f.login)
	mux.HandleFunc("GET /api/session", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"user": "admin", "role": "admin", "stations": []string{}})
	}))
	mux.HandleFunc("DELETE /api/session", f.auth(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(fakeCookie)
		f.mu.Lock()
		delete(f.sessions, c.Value)
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: fakeCookie, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /api/stations", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"stations": fakeStations()})
	}))
	mux.HandleFunc("POST /api/whep/{id}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		f.mu.Lock()
		f.whep = append(f.whep, id)
		f.mu.Unlock()
		switch {
		case r.Header.Get("Content-Type") != "application/sdp":
			writeJSON(w, 415, map[string]string{"error": "want application/sdp"})
		case strings.HasPrefix(id, "qh-"):
			writeJSON(w, 403, map[string]string{"error": "forbidden"})
		default:
			writeJSON(w, 503, map[string]string{"error": "no video in this test"})
		}
	}))
	return mux
}

func (f *fakeAPI) login(w http.ResponseWriter, r *http.Request) {
	var req struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad json"})
		return
	}
	switch {
	case req.Username == "flood":
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, map[string]string{"error": "too many attempts"})
	case req.Username == "admin" && req.Password == "s3cret-pass":
		token := fmt.Sprintf("tok%d", time.Now().UnixNano())
		f.mu.Lock()
		f.sessions[token] = true
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: fakeCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		writeJSON(w, 200, map[string]any{"token": token, "user": "admin", "role": "admin", "must_change_password": true})
	default:
		writeJSON(w, 401, map[string]string{"error": "invalid credentials"})
	}
}

func (f *fakeAPI) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(fakeCookie)
		f.mu.Lock()
		ok := err == nil && f.sessions[c.Value]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, 401, map[string]string{"error": "not logged in"})
			return
		}
		next(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fakeStations() []map[string]any {
	type st struct{ id, name, en string }
	areas := []st{{"bjx", "北京西站", "Beijing West"}, {"bj", "北京站", "Beijing"}, {"bjn", "北京南站", "Beijing South"},
		{"bjb", "北京北站", "Beijing North"}, {"qh", "清河站", "Qinghe"}}
	var out []map[string]any
	for _, a := range areas {
		var cams []map[string]any
		var ids []string
		for i, area := range []struct{ code, name, en string }{
			{"nsq", "北广场", "North Square"}, {"ssq", "南广场", "South Square"},
			{"hall", "候车大厅", "Waiting Hall"}, {"plat", "站台", "Platform"},
		} {
			id := fmt.Sprintf("%s-%s-%02d", a.id, area.code, i+1)
			state, reason := "online", ""
			if a.id == "bj" && i == 2 {
				state, reason = "offline", "unauthorized"
			}
			if a.id == "bjb" && i == 3 {
				state = "connecting"
			}
			cams = append(cams, map[string]any{"id": id, "name": fmt.Sprintf("%s %d", area.name, i+1),
				"name_en": fmt.Sprintf("%s %d", area.en, i+1), "state": state, "reason": reason,
				"codec": "H264", "width": 640, "height": 360, "fps": 25, "bitrate": 1400000})
			ids = append(ids, id)
		}
		out = append(out, map[string]any{"id": a.id, "name": a.name, "name_en": a.en,
			"layout": map[string]any{"grid": "2x2", "cameras": ids}, "cameras": cams})
	}
	return out
}

// The console's flows against the fake API: login errors, the tree, search,
// language switch (remembered), a camera the user may not view, logout.
func TestConsoleUI(t *testing.T) {
	b := browsertest.New(t)
	api := newFakeAPI()
	srv := httptest.NewServer(api.handler())
	t.Cleanup(srv.Close)
	shots := t.ArtifactDir()
	const wait = 10 * time.Second

	b.Navigate(srv.URL + "/")
	b.WaitVisible("#login-form", wait)
	if got := b.Text("#login-submit"); got != "登录" {
		t.Errorf("login button %q, want Chinese by default", got)
	}
	login := func(user, pass string) {
		b.Fill("#login-username", user)
		b.Fill("#login-password", pass)
		b.Click("#login-submit")
	}
	login("admin", "wrong")
	b.WaitVisible("#login-error", wait)
	if got := b.Text("#login-error"); got != "用户名或密码错误。" {
		t.Errorf("wrong password message %q", got)
	}
	login("flood", "x")
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
	login("admin", "s3cret-pass")
	b.WaitVisible("#console-view", wait)
	b.WaitFor(`document.querySelectorAll('#tree .station').length === 5`, wait)
	names := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('.station-name')].map(e => e.textContent)`)
	if strings.Join(names, ",") != "北京西站,北京站,北京南站,北京北站,清河站" {
		t.Errorf("stations %v", names)
	}
	if n := browsertest.MustEval[int](b, `document.querySelectorAll('.cam .dot-online').length`); n != 18 {
		t.Errorf("%d online dots, want 18", n)
	}
	title := browsertest.MustEval[string](b, `document.querySelector('[data-camera="bj-hall-03"] .dot').title`)
	if title != "摄像机认证失败" {
		t.Errorf("offline reason on hover %q", title)
	}
	if !browsertest.MustEval[bool](b, `!document.querySelector('#password-warning').hidden`) {
		t.Error("must_change_password shows no warning")
	}

	b.Fill("#search", "bjn-")
	visible := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('.cam')].filter(e => e.offsetParent).map(e => e.dataset.camera)`)
	if len(visible) != 4 || !strings.HasPrefix(visible[0], "bjn-") {
		t.Errorf("search bjn-: visible %v", visible)
	}
	b.Fill("#search", "候车")
	if n := browsertest.MustEval[int](b, `[...document.querySelectorAll('.cam')].filter(e => e.offsetParent).length`); n != 5 {
		t.Errorf("search 候车: %d cameras, want 5", n)
	}
	b.Fill("#search", "")

	b.Click(`[data-camera="qh-nsq-01"]`)
	b.WaitFor(`document.querySelector('.tile').dataset.status === 'error'`, wait)
	if got := b.Text(".tile-msg"); got != "您无权查看此摄像机（403）。" {
		t.Errorf("403 message %q", got)
	}
	if !strings.Contains(browsertest.MustEval[string](b, `location.search`), "cameras=qh-nsq-01") {
		t.Error("URL does not name the selected camera")
	}
	b.Click(`[data-camera="bjn-nsq-01"]`)
	b.WaitFor(`document.querySelector('.tile').dataset.status === 'retrying'`, wait)
	if got := b.Text(".tile-msg"); !strings.Contains(got, "重试") {
		t.Errorf("retry message %q", got)
	}
	if n := browsertest.MustEval[int](b, `window.__vigil.peers.length`); n > 1 {
		t.Errorf("%d peer connections left open while retrying", n)
	}
	b.Screenshot(filepath.Join(shots, "console-zh.png"))

	b.Click(".topbar .lang-toggle")
	b.WaitFor(`document.querySelector('.station-name').textContent === 'Beijing West'`, wait)
	b.Reload()
	b.WaitFor(`document.querySelector('.station-name')?.textContent === 'Beijing West'`, wait)
	if got := b.Text("#logout"); got != "Sign out" {
		t.Errorf("after reload, logout %q: language not remembered", got)
	}
	b.Screenshot(filepath.Join(shots, "console-en.png"))

	missing := browsertest.MustEval[map[string][]string](b, `import('/assets/i18n.js').then((m) => m.missingKeys())`)
	for lang, keys := range missing {
		if len(keys) > 0 {
			t.Errorf("i18n: %s lacks %v", lang, keys)
		}
	}

	// Pure helpers of the modules, run in the page.
	backoff := browsertest.MustEval[[]int](b, `import('/assets/tile.js').then((m) => [1, 2, 3, 4, 5, 9].map((n) => m.backoff(n, () => 0.5)))`)
	if fmt.Sprint(backoff) != "[1 2 4 8 15 15]" {
		t.Errorf("backoff %v", backoff)
	}
	retry := browsertest.MustEval[[]int](b, `import('/assets/api.js').then((m) => [m.parseRetryAfter('7'), m.parseRetryAfter(''), m.parseRetryAfter('soon'),
		m.parseRetryAfter(new Date(Date.now() + 60000).toUTCString()) > 55 ? 1 : 0])`)
	if fmt.Sprint(retry) != "[7 0 0 1]" {
		t.Errorf("parseRetryAfter %v", retry)
	}

	b.Navigate(srv.URL + "/wall/w1")
	b.WaitFor(`document.querySelector('.tile-msg')?.textContent === 'The video wall view is coming soon.'`, wait)
	if got := b.Text("#summary"); !strings.Contains(got, "Video wall w1") {
		t.Errorf("wall summary %q", got)
	}

	b.Click("#logout")
	b.WaitVisible("#login-form", wait)
	if got := b.Text("#login-submit"); got != "Sign in" {
		t.Errorf("login after logout %q", got)
	}

	// The only errors the page may show are the refused requests the test
	// provoked: the 401/403/429/503 answers, logged by the browser.
	for _, e := range b.Errors(func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && strings.Contains(m.Text, "status of")
	}) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
	for _, m := range b.Console() {
		t.Logf("console: %s %s", m, m.URL)
	}
}
