package gateway_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// twoStations is a config with two stations whose cameras point at a closed
// port: the cameras stay offline, which is all access control needs.
const twoStations = `stations:
  - id: bjx
    name: 北京西站
    name_en: Beijing West
    cameras:
      - id: bjx-nsq-01
        name: 北广场 1
        url: rtsp://127.0.0.1:1/bjx
  - id: bjn
    name: 北京南站
    name_en: Beijing South
    cameras:
      - id: bjn-hall-01
        name: 候车大厅 1
        url: rtsp://127.0.0.1:1/bjn
`

// logBuffer captures every log line of a gateway.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testGateway is a gateway on loopback with its data directory and logs.
type testGateway struct {
	*gateway.Gateway
	t       *testing.T
	dataDir string
	logs    *logBuffer
	admin   *client
}

type gwOption func(*gateway.Options)

// startTestGateway runs a gateway with cfg (YAML) and logs in as admin.
func startTestGateway(t *testing.T, cfg string, opts ...gwOption) *testGateway {
	t.Helper()
	dir := t.TempDir()
	logs := &logBuffer{}
	var sink io.Writer = logs
	if testing.Verbose() {
		sink = io.MultiWriter(logs, os.Stderr)
	}
	o := gateway.Options{
		HTTPAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0",
		AdminPassword: adminPassword, ConfigPath: filepath.Join(dir, "vigil.yaml"),
		Logger: slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if err := os.WriteFile(o.ConfigPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range opts {
		f(&o)
	}
	g, err := gateway.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	tg := &testGateway{Gateway: g, t: t, dataDir: o.DataDir, logs: logs}
	if o.AdminPassword != "" {
		tg.admin = tg.login("admin", o.AdminPassword)
	}
	return tg
}

// client calls the API as one user, by bearer token or by cookie.
type client struct {
	t      *testing.T
	base   string
	user   string
	token  string // bearer
	cookie string // session cookie value, used when token is empty
	header http.Header
	http   *http.Client
}

func (g *testGateway) anon() *client {
	return &client{t: g.t, base: g.URL(), header: http.Header{}, http: httpClient()}
}

func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
}

// login logs in and returns a client that uses the session as a bearer token.
func (g *testGateway) login(user, password string) *client {
	g.t.Helper()
	c := g.anon()
	resp, body := c.do("POST", "/api/session", map[string]string{"username": user, "password": password})
	if resp.StatusCode != http.StatusOK {
		g.t.Fatalf("login %s: %s %s", user, resp.Status, body)
	}
	var out struct{ Token string }
	json.Unmarshal(body, &out)
	c.user, c.token = user, out.Token
	return c
}

// asCookie returns a copy of c that authenticates by cookie, not bearer.
func (c *client) asCookie() *client {
	cc := *c
	cc.cookie, cc.token, cc.header = c.token, "", c.header.Clone()
	return &cc
}

// with returns a copy of c that sends header k: v.
func (c *client) with(k, v string) *client {
	cc := *c
	cc.header = c.header.Clone()
	cc.header.Set(k, v)
	return &cc
}

// do sends a request; body is nil, a string (sent as is) or a value
// (sent as JSON).
func (c *client) do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ctype = strings.NewReader(b), "application/sdp"
	default:
		data, _ := json.Marshal(b)
		r, ctype = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: c.cookie})
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// must does a request that must answer want, and decodes JSON into out.
func (c *client) must(want int, method, path string, body, out any) []byte {
	c.t.Helper()
	resp, data := c.do(method, path, body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s as %q: %s %s, want %d", method, path, c.user, resp.Status, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return data
}

// createUser makes a user through the API (no forced password change).
func (g *testGateway) createUser(name string, role auth.Role, stations ...string) {
	g.t.Helper()
	if stations == nil {
		stations = []string{}
	}
	g.admin.must(http.StatusCreated, "POST", "/api/users", map[string]any{
		"username": name, "password": userPassword, "role": role, "stations": stations, "must_change_password": false,
	}, nil)
}

const userPassword = "user-password-1"

// openStore opens the gateway's SQLite file beside the running gateway.
func (g *testGateway) openStore() *store.Store {
	g.t.Helper()
	st, err := store.Open(filepath.Join(g.dataDir, "vigil.db"))
	if err != nil {
		g.t.Fatal(err)
	}
	g.t.Cleanup(func() { st.Close() })
	return st
}

type auditEntry struct {
	Seq    int64
	User   string
	Action string
	Camera string
	Detail map[string]any
}

// auditEntries reads the audit log through the API (query: "action=login").
func (g *testGateway) auditEntries(query string) []auditEntry {
	g.t.Helper()
	var out struct{ Entries []auditEntry }
	g.admin.must(http.StatusOK, "GET", "/api/audit?limit=1000&"+query, nil, &out)
	return out.Entries
}

func countAudit(list []auditEntry, match func(auditEntry) bool) int {
	n := 0
	for _, e := range list {
		if match(e) {
			n++
		}
	}
	return n
}

func fmtEntries(list []auditEntry) string {
	var b strings.Builder
	for _, e := range list {
		fmt.Fprintf(&b, "\n  %d %s %s %s %v", e.Seq, e.User, e.Action, e.Camera, e.Detail)
	}
	return b.String()
}
