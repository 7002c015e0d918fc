package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/httpsec"
	"vigil/internal/testwait"
)

func TestBruteForceIsSlowedAndAudited(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("li.wei", auth.RoleDispatcher, "bjn")
	c := g.anon()
	for i := range 5 {
		resp, _ := c.do("POST", "/api/session", map[string]string{"username": "li.wei", "password": fmt.Sprint("guess-", i)})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %s", i, resp.Status)
		}
	}
	// Locked: even the right password waits, and the answer says how long.
	for range 3 {
		resp, _ := c.do("POST", "/api/session", map[string]string{"username": "li.wei", "password": userPassword})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("locked login: %s Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
		}
	}
	list := g.auditEntries("action=login.failed&user=li.wei")
	bad := countAudit(list, func(e auditEntry) bool {
		return e.Detail["reason"] == "bad_credentials" && e.Detail["ip"] == "127.0.0.1"
	})
	locked := countAudit(list, func(e auditEntry) bool {
		return e.Detail["reason"] == "locked_out" && e.Detail["scope"] == "user_address"
	})
	if bad != 5 || locked != 1 || len(list) != 6 {
		t.Fatalf("audit: %d bad, %d locked (the lock is recorded once, refusals not):%s", bad, locked, fmtEntries(list))
	}
	if !strings.Contains(g.logs.String(), "login failed") {
		t.Error("failures not logged")
	}
	// The lockout is per user: others still log in, and that is audited.
	g.createUser("wang", auth.RoleViewer)
	g.login("wang", userPassword)
	if n := len(g.auditEntries("action=login&user=wang")); n != 1 {
		t.Fatalf("%d login entries for wang", n)
	}
}

func TestExpiredAndRevokedSessionsAreRefused(t *testing.T) {
	defer gateway.SetConsoleRecheck(100 * time.Millisecond)()
	g := startTestGateway(t, twoStations)
	g.createUser("li.wei", auth.RoleDispatcher)
	ctx := context.Background()
	st := g.openStore()

	// Expired: the session's expiry is put in the past in the database.
	expired := g.login("li.wei", userPassword)
	ws := dialConsole(t, g.URL(), expired.token, "")
	expired.must(200, "GET", "/api/stations", nil, nil)
	if err := st.TouchSession(ctx, sessionID(expired.token), time.Now().Add(-13*time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	expired.must(401, "GET", "/api/stations", nil, nil)
	expired.asCookie().must(401, "GET", "/api/stations", nil, nil)
	waitClosed(t, ws, 4001)

	// Revoked by an admin: HTTP refused, the open console closed.
	revoked := g.login("li.wei", userPassword)
	ws = dialConsole(t, g.URL(), revoked.token, "")
	g.admin.must(200, "DELETE", "/api/users/li.wei/sessions", nil, nil)
	revoked.must(401, "GET", "/api/stations", nil, nil)
	waitClosed(t, ws, 4001)

	// Disabled: sessions and API tokens end; enabling again does not revive them.
	s := g.login("li.wei", userPassword)
	var tok struct{ Token string }
	s.must(201, "POST", "/api/tokens", map[string]string{"name": "tool"}, &tok)
	ws = dialConsole(t, g.URL(), tok.Token, "")
	g.admin.must(200, "PUT", "/api/users/li.wei", map[string]any{"disabled": true}, nil)
	s.must(401, "GET", "/api/session", nil, nil)
	(&client{t: t, base: g.URL(), token: tok.Token, http: httpClient()}).must(401, "GET", "/api/stations", nil, nil)
	waitClosed(t, ws, 4001)
	resp, _ := g.anon().do("POST", "/api/session", map[string]string{"username": "li.wei", "password": userPassword})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled login: %s", resp.Status)
	}
	g.admin.must(200, "PUT", "/api/users/li.wei", map[string]any{"disabled": false}, nil)
	s.must(401, "GET", "/api/session", nil, nil)
	(&client{t: t, base: g.URL(), token: tok.Token, http: httpClient()}).must(401, "GET", "/api/stations", nil, nil)
	g.login("li.wei", userPassword).must(200, "GET", "/api/session", nil, nil)
}

func waitClosed(t *testing.T, c *consoleClient, code int) {
	t.Helper()
	select {
	case <-c.done:
		if c.closeCode != code {
			t.Fatalf("console closed with %d, want %d", c.closeCode, code)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("console still open after its session ended")
	}
}

func TestScopedDispatcherCannotReachOtherStation(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("bjn.disp", auth.RoleDispatcher, "bjn")
	c := g.login("bjn.disp", userPassword)

	var st struct {
		Stations []struct {
			ID      string
			Cameras []struct{ ID string }
		}
	}
	c.must(200, "GET", "/api/stations", nil, &st)
	if len(st.Stations) != 1 || st.Stations[0].ID != "bjn" || len(st.Stations[0].Cameras) != 1 {
		t.Fatalf("stations: %+v", st)
	}
	// A bjx camera answers exactly like a camera that does not exist.
	_, hidden := c.do("GET", "/api/cameras/bjx-nsq-01", nil)
	_, unknown := c.do("GET", "/api/cameras/bjx-nope-01", nil)
	c.must(404, "GET", "/api/cameras/bjx-nsq-01", nil, nil)
	if string(hidden) != string(unknown) {
		t.Fatalf("hidden %s, unknown %s", hidden, unknown)
	}
	tw := &testWalk{testGateway: g}
	c.must(404, "POST", "/api/whep/bjx-nsq-01", tw.whepOffer(), nil)
	c.must(201, "POST", "/api/whep/bjn-hall-01", tw.whepOffer(), nil)
	// Nor may it put the camera into a layout, or learn it from a shared one.
	c.must(400, "POST", "/api/layouts", map[string]any{"name": "x", "grid": "1", "cameras": []string{"bjx-nsq-01"}}, nil)
	g.admin.must(201, "POST", "/api/layouts", map[string]any{"name": "共享", "grid": "2x2", "shared": true,
		"cameras": []string{"bjx-nsq-01", "bjn-hall-01"}}, nil)
	_, layouts := c.do("GET", "/api/layouts", nil)
	if strings.Contains(string(layouts), "bjx-") || !strings.Contains(string(layouts), "bjn-hall-01") {
		t.Fatalf("layouts: %s", layouts)
	}
	// Export, when the clip routes exist, is covered by exportRefusesHidden.
	exportRefusesHidden(t, g, c)
}

// exportRefusesHidden checks POST /api/clips for a camera of another
// station, if the gateway has clip export.
func exportRefusesHidden(t *testing.T, g *testGateway, c *client) {
	for _, rt := range g.Routes() {
		if rt.Method == "POST" && rt.Pattern == "/api/clips" {
			now := time.Now().UTC()
			resp, body := c.do("POST", "/api/clips", map[string]string{"camera": "bjx-nsq-01",
				"from": now.Add(-time.Minute).Format(time.RFC3339), "to": now.Format(time.RFC3339), "reason": "test"})
			if resp.StatusCode != 404 {
				t.Errorf("export of a hidden camera: %s %s", resp.Status, body)
			}
			return
		}
	}
	t.Log("no clip export route yet")
}

func TestForgedOriginIsRefused(t *testing.T) {
	g := startTestGateway(t, twoStations)
	own := g.URL()
	cookie := g.admin.asCookie()
	body := map[string]any{"name": "x", "grid": "1", "cameras": []string{}}

	// The WebSocket, with the cookie, from another origin (another port of
	// the same host counts: cookies do not care about ports).
	evil := "http://127.0.0.1:1"
	h := http.Header{"Origin": {evil}, "Cookie": {"vigil_session=" + cookie.cookie}}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL(own), h); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("forged WebSocket: %v %v", err, resp)
	}
	h.Set("Origin", own)
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL(own), h)
	if err != nil {
		t.Fatalf("same-origin WebSocket: %v %v", err, resp)
	}
	ws.Close()

	for _, tc := range []struct {
		name string
		c    *client
		want int
	}{
		{"cookie, forged Origin", cookie.with("Origin", evil), 403},
		{"cookie, Origin null", cookie.with("Origin", "null"), 403},
		{"cookie, no Origin", cookie, 403},
		{"cookie, cross-site fetch", cookie.with("Sec-Fetch-Site", "cross-site"), 403},
		{"cookie, same-origin fetch", cookie.with("Sec-Fetch-Site", "same-origin"), 201},
		{"cookie, own Origin", cookie.with("Origin", own), 201},
		{"bearer, forged Origin", g.admin.with("Origin", evil), 201},
	} {
		if resp, data := tc.c.do("POST", "/api/layouts", body); resp.StatusCode != tc.want {
			t.Errorf("%s: %s %s, want %d", tc.name, resp.Status, data, tc.want)
		}
	}
	// Reads with the cookie are fine without Origin, not with a foreign one.
	cookie.must(200, "GET", "/api/stations", nil, nil)
	cookie.with("Origin", evil).must(403, "GET", "/api/stations", nil, nil)

	// Login from another origin is refused; without Origin (tools) it works.
	login := map[string]string{"username": "admin", "password": adminPassword}
	g.anon().with("Origin", evil).must(403, "POST", "/api/session", login, nil)
	g.anon().with("Origin", own).must(200, "POST", "/api/session", login, nil)
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	g := startTestGateway(t, twoStations)
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{g.anon(), "/"}, {g.anon(), "/wall/main"}, {g.anon(), "/assets/app.js"}, {g.anon(), "/healthz"},
		{g.anon(), "/api/stations"}, {g.anon(), "/api/nope"}, {g.anon(), "/nope"}, {g.admin, "/api/users"},
		{g.admin, "/api/cameras/nope"},
	} {
		resp, _ := tc.c.do("GET", tc.path, nil)
		h := resp.Header
		// The console page and every API answer carry the one policy.
		if csp := h.Values("Content-Security-Policy"); len(csp) != 1 || csp[0] != httpsec.ContentSecurityPolicy {
			t.Errorf("%s: CSP %q, want httpsec's %q", tc.path, csp, httpsec.ContentSecurityPolicy)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"} {
			if h.Get(k) != v {
				t.Errorf("%s (%s): %s = %q", tc.path, resp.Status, k, h.Get(k))
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", tc.path)
		}
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	g := startTestGateway(t, twoStations, func(o *gateway.Options) { o.TLSCertFile, o.TLSKeyFile = cert, key })
	if !strings.HasPrefix(g.URL(), "https://") {
		t.Fatalf("URL %s", g.URL())
	}
	resp, _ := g.anon().do("POST", "/api/session", map[string]string{"username": "admin", "password": adminPassword})
	var secure bool
	for _, c := range resp.Cookies() {
		secure = c.Name == "vigil_session" && c.Secure && c.HttpOnly && c.SameSite == http.SameSiteStrictMode
	}
	if !secure || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("cookies %v, HSTS %q", resp.Cookies(), resp.Header.Get("Strict-Transport-Security"))
	}
	// Plain HTTP on the TLS port gets nowhere.
	plain := strings.Replace(g.URL(), "https://", "http://", 1)
	if resp, err := http.Get(plain + "/healthz"); err == nil && resp.StatusCode == 200 {
		t.Fatal("plain HTTP served")
	}
	// Only one of the two files is an error.
	cfg := filepath.Join(dir, "vigil.yaml")
	os.WriteFile(cfg, []byte(twoStations), 0o600)
	_, err := gateway.New(context.Background(), gateway.Options{HTTPAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "d2"),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword, TLSCertFile: cert,
		ConfigPath: cfg})
	if err == nil || !strings.Contains(err.Error(), "tls-key") {
		t.Fatalf("cert without key: %v", err)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigil test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(priv)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestBootstrapAdminMustChangeGeneratedPassword(t *testing.T) {
	g := startTestGateway(t, twoStations, func(o *gateway.Options) { o.AdminPassword = "" })
	m := regexp.MustCompile(`username=admin password=(\S+)`).FindStringSubmatch(g.logs.String())
	if m == nil {
		t.Fatalf("no generated password in the log:\n%s", g.logs.String())
	}
	c := g.login("admin", m[1])
	resp, body := c.do("GET", "/api/users", nil)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "must change your password") {
		t.Fatalf("users before the change: %s %s", resp.Status, body)
	}
	c.must(204, "PUT", "/api/session/password", map[string]string{"old": m[1], "new": "a-chosen-password"}, nil)
	c.must(200, "GET", "/api/users", nil, nil)
}

func TestUserAdministration(t *testing.T) {
	g := startTestGateway(t, twoStations)
	a := g.admin
	// Validation.
	for _, body := range []map[string]any{
		{"username": "bad name", "password": userPassword, "role": "viewer"},
		{"username": "ok", "password": "short", "role": "viewer"},
		{"username": "ok", "password": userPassword, "role": "root"},
		{"username": "ok", "password": userPassword, "role": "viewer", "stations": []string{"nowhere"}},
		{"username": "ok", "password": userPassword, "role": "admin", "stations": []string{"bjn"}},
		{"username": "ok", "password": userPassword, "role": "viewer", "extra": true},
	} {
		a.must(400, "POST", "/api/users", body, nil)
	}
	var created struct {
		Username           string
		Stations           []string
		MustChangePassword bool `json:"must_change_password"`
	}
	a.must(201, "POST", "/api/users", map[string]any{"username": "zhang", "password": userPassword, "role": "dispatcher",
		"stations": []string{"bjn"}}, &created)
	if !created.MustChangePassword || len(created.Stations) != 1 {
		t.Fatalf("created %+v", created)
	}
	a.must(409, "POST", "/api/users", map[string]any{"username": "zhang", "password": userPassword, "role": "viewer"}, nil)
	a.must(404, "PUT", "/api/users/nobody", map[string]any{"disabled": true}, nil)
	a.must(400, "PUT", "/api/users/zhang", map[string]any{"role": "admin"}, nil) // still scoped
	a.must(200, "PUT", "/api/users/zhang", map[string]any{"role": "admin", "stations": []string{}}, nil)
	// Not yourself, not the last admin.
	a.must(409, "DELETE", "/api/users/admin", nil, nil)
	a.must(409, "PUT", "/api/users/admin", map[string]any{"role": "viewer"}, nil)
	a.must(204, "DELETE", "/api/users/zhang", nil, nil)
	a.must(404, "DELETE", "/api/users/zhang", nil, nil)
	// A password reset makes the user change it.
	g.createUser("li", auth.RoleViewer)
	a.must(200, "PUT", "/api/users/li", map[string]any{"password": "reset-password-1"}, nil)
	li := g.login("li", "reset-password-1")
	li.must(403, "GET", "/api/stations", nil, nil)

	list := g.auditEntries("user=admin")
	for _, action := range []string{"user.create", "user.update", "user.delete"} {
		if countAudit(list, func(e auditEntry) bool { return e.Action == action }) == 0 {
			t.Errorf("no %s in the audit log:%s", action, fmtEntries(list))
		}
	}
	if strings.Contains(fmtEntries(list), "reset-password-1") || strings.Contains(fmtEntries(list), userPassword) {
		t.Error("a password in the audit log")
	}
}

func TestAPITokens(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("li", auth.RoleViewer, "bjn")
	g.createUser("wang", auth.RoleViewer)
	li, wang := g.login("li", userPassword), g.login("wang", userPassword)
	var tok struct{ ID, Token, User string }
	li.must(201, "POST", "/api/tokens", map[string]string{"name": "导出脚本"}, &tok)
	li.must(400, "POST", "/api/tokens", map[string]string{"name": ""}, nil)
	if !strings.HasPrefix(tok.Token, auth.APITokenPrefix) || tok.User != "li" {
		t.Fatalf("token %+v", tok)
	}
	tool := &client{t: t, base: g.URL(), user: "li-tool", token: tok.Token, http: httpClient()}
	var st struct{ Stations []struct{ ID string } }
	tool.must(200, "GET", "/api/stations", nil, &st)
	if len(st.Stations) != 1 || st.Stations[0].ID != "bjn" {
		t.Fatalf("token sees %+v", st)
	}
	// The token is shown once; lists never carry it.
	for _, c := range []*client{li, g.admin} {
		if data := c.must(200, "GET", "/api/tokens", nil, nil); strings.Contains(string(data), tok.Token) ||
			!strings.Contains(string(data), tok.ID) {
			t.Fatalf("token list: %s", data)
		}
	}
	if data := wang.must(200, "GET", "/api/tokens", nil, nil); strings.Contains(string(data), tok.ID) {
		t.Fatalf("wang sees li's token: %s", data)
	}
	wang.must(404, "DELETE", "/api/tokens/"+tok.ID, nil, nil)
	tool.must(200, "GET", "/api/session", nil, nil)
	g.admin.must(204, "DELETE", "/api/tokens/"+tok.ID, nil, nil)
	tool.must(401, "GET", "/api/session", nil, nil)
}

// A WHEP viewer is authorized at its offer; the gateway re-checks it, so a
// narrowed scope or an ended session ends the view too.
func TestWHEPViewEndsWhenAccessEnds(t *testing.T) {
	defer gateway.SetConsoleRecheck(100 * time.Millisecond)()
	g := startTestGateway(t, twoStations)
	g.createUser("li", auth.RoleDispatcher)
	li := g.login("li", userPassword)
	var tok struct{ Token string }
	li.must(201, "POST", "/api/tokens", map[string]string{"name": "viewer"}, &tok)
	tool := &client{t: t, base: g.URL(), user: "li-tool", token: tok.Token, http: httpClient()}
	tw := &testWalk{testGateway: g}

	tool.must(201, "POST", "/api/whep/bjx-nsq-01", tw.whepOffer(), nil)
	li.must(201, "POST", "/api/whep/bjn-hall-01", tw.whepOffer(), nil)
	// Scope narrowed to bjn: the token's bjx view ends; the session's bjn
	// view ends with the session (a scope change ends sessions).
	g.admin.must(200, "PUT", "/api/users/li", map[string]any{"stations": []string{"bjn"}}, nil)
	testwait.For(t, "both views ended by the scope change", func() bool {
		return len(g.auditEntries("action=view.end&user=li")) == 2
	})
	// The token still works for bjn.
	tool.must(201, "POST", "/api/whep/bjn-hall-01", tw.whepOffer(), nil)
}
