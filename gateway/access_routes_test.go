package gateway_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
	"vigil/streams/webrtc/webrtctest"
)

// walker is one user of the authorization walk, calling with an API token
// (which survives the logouts and password changes the walk performs).
type walker struct {
	*client
	role     auth.Role
	scoped   bool // only station bjn
	password string
}

// routeCase says who may call a route and what an allowed call answers.
type routeCase struct {
	min    auth.Role // least role allowed; "" for public routes
	ok     int       // status of an allowed call
	scoped int       // status for a caller scoped to bjn; 0: same as ok
	// call performs the request as w (nil: without credentials) and
	// returns the status.
	call func(tw *testWalk, w *walker) int
}

// testWalk is the state the route cases share.
type testWalk struct {
	*testGateway
	seq    atomic.Int64
	anyone *walker // a valid user, for requests that need some credentials in the body
}

func (tw *testWalk) next() int64 { return tw.seq.Add(1) }

// as returns the client for w, or an anonymous one.
func (tw *testWalk) as(w *walker) *client {
	if w == nil {
		return tw.anon()
	}
	return w.client
}

// simple is a case whose request does not depend on the caller.
func simple(method, path string, body any) func(*testWalk, *walker) int {
	return func(tw *testWalk, w *walker) int {
		resp, _ := tw.as(w).do(method, path, body)
		return resp.StatusCode
	}
}

// victim creates a user for an admin action to act on.
func (tw *testWalk) victim() string {
	name := fmt.Sprintf("victim-%d", tw.next())
	tw.createUser(name, auth.RoleViewer)
	return name
}

// whepOffer is a real SDP offer whose receiver is closed after the test.
func (tw *testWalk) whepOffer() string {
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		tw.t.Fatal(err)
	}
	tw.t.Cleanup(rx.Close)
	return offer
}

// routeCases has one entry per route of the API, keyed "METHOD PATTERN".
// A route added without an entry fails TestEveryRouteForEveryRole.
func routeCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /healthz":     {ok: 200, call: simple("GET", "/healthz", nil)},
		"GET /readyz":      {ok: 200, call: simple("GET", "/readyz", nil)},
		"GET /api/cluster": {min: auth.RoleAdmin, ok: 200, call: simple("GET", "/api/cluster", nil)},
		"POST /api/session": {ok: 200, call: func(tw *testWalk, w *walker) int {
			u := w
			if u == nil {
				u = tw.anyone
			}
			resp, _ := tw.anon().do("POST", "/api/session", map[string]string{"username": u.user, "password": u.password})
			return resp.StatusCode
		}},
		"GET /api/session":    {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/session", nil)},
		"DELETE /api/session": {min: auth.RoleViewer, ok: 204, call: simple("DELETE", "/api/session", nil)},
		"PUT /api/session/password": {min: auth.RoleViewer, ok: 204, call: func(tw *testWalk, w *walker) int {
			if w == nil {
				return simple("PUT", "/api/session/password", map[string]string{"old": "x", "new": "0123456789"})(tw, w)
			}
			next := fmt.Sprintf("walk-password-%d", tw.next())
			resp, body := w.do("PUT", "/api/session/password", map[string]string{"old": w.password, "new": next})
			if resp.StatusCode == 204 {
				w.password = next
			} else if resp.StatusCode != 403 {
				tw.t.Logf("password change: %s", body)
			}
			return resp.StatusCode
		}},
		"GET /api/stations":                {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/stations", nil)},
		"GET /api/recordings/{camera}":     {min: auth.RoleViewer, ok: 200, scoped: 404, call: simple("GET", "/api/recordings/bjx-nsq-01", nil)},
		"GET /api/recordings/{camera}/mp4": {min: auth.RoleDispatcher, ok: 422, scoped: 404, call: simple("GET", "/api/recordings/bjx-nsq-01/mp4?start=2026-01-01T00:00:00Z&duration=10", nil)},
		"GET /api/cameras/{id}":            {min: auth.RoleViewer, ok: 200, scoped: 404, call: simple("GET", "/api/cameras/bjx-nsq-01", nil)},
		"POST /api/whep/{camera}": {min: auth.RoleViewer, ok: 201, scoped: 404, call: func(tw *testWalk, w *walker) int {
			resp, _ := tw.as(w).do("POST", "/api/whep/bjx-nsq-01", tw.whepOffer())
			if loc := resp.Header.Get("Location"); resp.StatusCode == 201 {
				tw.as(w).must(200, "DELETE", loc, nil, nil)
			}
			return resp.StatusCode
		}},
		"DELETE /api/whep/{camera}/{session}": {min: auth.RoleViewer, ok: 200, call: func(tw *testWalk, w *walker) int {
			loc := "/api/whep/bjn-hall-01/00000000000000000000000000000000"
			if w != nil {
				resp, body := w.do("POST", "/api/whep/bjn-hall-01", tw.whepOffer())
				if resp.StatusCode != 201 {
					tw.t.Fatalf("WHEP offer as %s: %s %s", w.user, resp.Status, body)
				}
				loc = resp.Header.Get("Location")
			}
			return simple("DELETE", loc, nil)(tw, w)
		}},
		"GET /api/alarms": {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/alarms?state=open", nil)},
		"POST /api/alarms/{id}/ack": {min: auth.RoleDispatcher, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			a, err := tw.openStore().PutAlarm(context.Background(), store.Alarm{Type: "camera_offline", Camera: "bjx-nsq-01",
				Station: "bjx", State: "active", RaisedAt: time.Now(), Count: 1})
			if err != nil {
				tw.t.Fatal(err)
			}
			return simple("POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": "walk"})(tw, w)
		}},
		"GET /metrics":   {min: auth.RoleOperator, ok: 200, scoped: 403, call: simple("GET", "/metrics", nil)},
		"GET /api/users": {min: auth.RoleAdmin, ok: 200, call: simple("GET", "/api/users", nil)},
		"POST /api/users": {min: auth.RoleAdmin, ok: 201, call: func(tw *testWalk, w *walker) int {
			return simple("POST", "/api/users", map[string]any{"username": fmt.Sprintf("new-%d", tw.next()),
				"password": userPassword, "role": "viewer", "stations": []string{"bjn"}})(tw, w)
		}},
		"PUT /api/users/{name}": {min: auth.RoleAdmin, ok: 200, call: func(tw *testWalk, w *walker) int {
			return simple("PUT", "/api/users/"+tw.victim(), map[string]any{"stations": []string{"bjx"}})(tw, w)
		}},
		"DELETE /api/users/{name}": {min: auth.RoleAdmin, ok: 204, call: func(tw *testWalk, w *walker) int {
			return simple("DELETE", "/api/users/"+tw.victim(), nil)(tw, w)
		}},
		"DELETE /api/users/{name}/sessions": {min: auth.RoleAdmin, ok: 200, call: func(tw *testWalk, w *walker) int {
			return simple("DELETE", "/api/users/"+tw.victim()+"/sessions", nil)(tw, w)
		}},
		"GET /api/tokens":  {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/tokens", nil)},
		"POST /api/tokens": {min: auth.RoleViewer, ok: 201, call: simple("POST", "/api/tokens", map[string]string{"name": "walk"})},
		"DELETE /api/tokens/{id}": {min: auth.RoleViewer, ok: 204, call: func(tw *testWalk, w *walker) int {
			var tok struct{ ID string }
			owner := tw.admin
			if w != nil && w.role.AtLeast(auth.RoleViewer) {
				owner = w.client
			}
			owner.must(201, "POST", "/api/tokens", map[string]string{"name": "to revoke"}, &tok)
			return simple("DELETE", "/api/tokens/"+tok.ID, nil)(tw, w)
		}},
		"GET /api/audit": {min: auth.RoleAdmin, ok: 200, call: simple("GET", "/api/audit?limit=5", nil)},

		// Config reload and the webhook delivery log cover every station.
		"POST /api/config/reload":      {min: auth.RoleAdmin, ok: 200, scoped: 403, call: simple("POST", "/api/config/reload", nil)},
		"GET /api/webhooks/deliveries": {min: auth.RoleAdmin, ok: 200, scoped: 403, call: simple("GET", "/api/webhooks/deliveries", nil)},

		// The console's layouts, walls and WebSocket (gateway/signal).
		"GET /api/layouts": {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/layouts", nil)},
		"POST /api/layouts": {min: auth.RoleDispatcher, ok: 201, scoped: 400, call: simple("POST", "/api/layouts",
			map[string]any{"name": "西站北广场", "grid": "1", "cameras": []string{"bjx-nsq-01"}})},
		"GET /api/layouts/{id}": {min: auth.RoleViewer, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/layouts/"+tw.layout(tw.admin, "bjx"), nil)(tw, w)
		}},
		"PUT /api/layouts/{id}": {min: auth.RoleDispatcher, ok: 200, call: func(tw *testWalk, w *walker) int {
			return simple("PUT", "/api/layouts/"+tw.ownLayout(w), map[string]any{"name": "改", "grid": "2x2"})(tw, w)
		}},
		"DELETE /api/layouts/{id}": {min: auth.RoleDispatcher, ok: 204, call: func(tw *testWalk, w *walker) int {
			return simple("DELETE", "/api/layouts/"+tw.ownLayout(w), nil)(tw, w)
		}},
		"GET /api/walls": {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/walls", nil)},
		"PUT /api/walls/{id}": {min: auth.RoleOperator, ok: 200, scoped: 403, call: simple("PUT", "/api/walls/main",
			map[string]any{"grid": "1", "cameras": []string{"bjx-nsq-01"}})},
		// Incident clips (clips_routes_test.go): the cameras never recorded.
		"POST /api/clips": {min: auth.RoleDispatcher, ok: 422, scoped: 404, call: simple("POST", "/api/clips", clipBody("bjx-nsq-01"))},
		"GET /api/clips":  {min: auth.RoleDispatcher, ok: 200, call: simple("GET", "/api/clips", nil)},
		"GET /api/clips/{id}": {min: auth.RoleDispatcher, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/clips/"+tw.clip(w), nil)(tw, w)
		}},
		"GET /api/clips/{id}/file": {min: auth.RoleDispatcher, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/clips/"+tw.clip(w)+"/file", nil)(tw, w)
		}},
		"GET /api/clips/{id}/manifest": {min: auth.RoleDispatcher, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/clips/"+tw.clip(w)+"/manifest", nil)(tw, w)
		}},
		// Snapshots (snapshots_test.go): nothing recorded an hour ago.
		"GET /api/cameras/{id}/snapshot": {min: auth.RoleViewer, ok: 422, scoped: 404, call: simple("GET",
			"/api/cameras/bjx-nsq-01/snapshot?t="+time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), nil)},
		// Bookmarks and evidence locks (bookmarks_test.go): bjx's camera.
		"GET /api/bookmarks":        {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/bookmarks", nil)},
		"GET /api/bookmarks/locked": {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/bookmarks/locked", nil)},
		"POST /api/bookmarks": {min: auth.RoleDispatcher, ok: 201, scoped: 404, call: simple("POST", "/api/bookmarks",
			bookmarkBody("bjx-nsq-01", false))},
		"GET /api/bookmarks/{id}": {min: auth.RoleViewer, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/bookmarks/"+tw.ownBookmark(w), nil)(tw, w)
		}},
		"PUT /api/bookmarks/{id}": {min: auth.RoleDispatcher, ok: 200, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("PUT", "/api/bookmarks/"+tw.ownBookmark(w), map[string]string{"note": "改"})(tw, w)
		}},
		"DELETE /api/bookmarks/{id}": {min: auth.RoleDispatcher, ok: 204, scoped: 404, call: func(tw *testWalk, w *walker) int {
			return simple("DELETE", "/api/bookmarks/"+tw.ownBookmark(w), nil)(tw, w)
		}},
		// PTZ (ptz_test.go): twoStations' cameras have none, so a command
		// that passes the role and station checks meets 409.
		"GET /api/cameras/{id}/ptz": {min: auth.RoleViewer, ok: 200, scoped: 404, call: simple("GET", "/api/cameras/bjx-nsq-01/ptz", nil)},
		"POST /api/cameras/{id}/ptz/move": {min: auth.RoleDispatcher, ok: 409, scoped: 404,
			call: simple("POST", "/api/cameras/bjx-nsq-01/ptz/move", map[string]float64{"pan": 0.5})},
		"POST /api/cameras/{id}/ptz/stop": {min: auth.RoleDispatcher, ok: 409, scoped: 404,
			call: simple("POST", "/api/cameras/bjx-nsq-01/ptz/stop", nil)},
		"POST /api/cameras/{id}/ptz/presets": {min: auth.RoleDispatcher, ok: 409, scoped: 404,
			call: simple("POST", "/api/cameras/bjx-nsq-01/ptz/presets", map[string]string{"name": "p"})},
		"POST /api/cameras/{id}/ptz/presets/{token}/goto": {min: auth.RoleDispatcher, ok: 409, scoped: 404,
			call: simple("POST", "/api/cameras/bjx-nsq-01/ptz/presets/1/goto", nil)},
		"DELETE /api/cameras/{id}/ptz/presets/{token}": {min: auth.RoleDispatcher, ok: 409, scoped: 404,
			call: simple("DELETE", "/api/cameras/bjx-nsq-01/ptz/presets/1", nil)},
		// The walk's gateway probes a closed loopback port, not the network.
		"POST /api/onvif/discover": {min: auth.RoleAdmin, ok: 200, call: simple("POST", "/api/onvif/discover", nil)},
		"GET /api/ws": {min: auth.RoleViewer, ok: 101, call: func(tw *testWalk, w *walker) int {
			h := http.Header{}
			if w != nil {
				h.Set("Authorization", "Bearer "+w.token)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(wsURL(tw.URL()), h)
			if err == nil {
				ws.Close()
			}
			if resp == nil {
				tw.t.Fatalf("dial: %v", err)
			}
			return resp.StatusCode
		}},
	}
}

// layout creates a layout of station (shared with that station's users)
// as c and returns its id.
func (tw *testWalk) layout(c *client, station string) string {
	var l struct{ ID string }
	c.must(201, "POST", "/api/layouts", map[string]any{"name": "站区默认", "grid": "1", "station": station,
		"cameras": []string{station + map[string]string{"bjx": "-nsq-01", "bjn": "-hall-01"}[station]}}, &l)
	return l.ID
}

// ownLayout creates a private layout of w (of the admin for callers that
// may not have one) and returns its id.
func (tw *testWalk) ownLayout(w *walker) string {
	owner := tw.admin
	if w != nil && w.role.AtLeast(auth.RoleDispatcher) {
		owner = w.client
	}
	var l struct{ ID string }
	owner.must(201, "POST", "/api/layouts", map[string]any{"name": "我的", "grid": "1", "cameras": []string{"bjn-hall-01"}}, &l)
	return l.ID
}

// ownBookmark creates a bookmark of bjx's camera by w (by the admin for
// callers that may not create one) and returns its id.
func (tw *testWalk) ownBookmark(w *walker) string {
	owner := tw.admin
	if w != nil && !w.scoped && w.role.AtLeast(auth.RoleDispatcher) {
		owner = w.client
	}
	var b struct{ ID string }
	owner.must(201, "POST", "/api/bookmarks", bookmarkBody("bjx-nsq-01", false), &b)
	return b.ID
}

// newWalker creates a user (through the API; scoped admins, which the API
// refuses, directly in the database), logs it in and gives it an API token.
func (tw *testWalk) newWalker(role auth.Role, scoped bool) *walker {
	tw.t.Helper()
	name := fmt.Sprintf("walk-%s-all", role)
	var stations []string
	if scoped {
		name, stations = fmt.Sprintf("walk-%s-bjn", role), []string{"bjn"}
	}
	if role == auth.RoleAdmin && scoped {
		hash, err := auth.HashPassword(userPassword)
		if err != nil {
			tw.t.Fatal(err)
		}
		if err := tw.openStore().CreateUser(context.Background(), store.User{
			Username: name, PasswordHash: hash, Role: string(role), Stations: stations}); err != nil {
			tw.t.Fatal(err)
		}
	} else {
		tw.createUser(name, role, stations...)
	}
	c := tw.login(name, userPassword)
	var tok struct{ Token string }
	c.must(201, "POST", "/api/tokens", map[string]string{"name": "walk"}, &tok)
	c.token = tok.Token
	return &walker{client: c, role: role, scoped: scoped, password: userPassword}
}

func (rc routeCase) want(w *walker) int {
	switch {
	case rc.min == "":
		return rc.ok
	case w == nil:
		return http.StatusUnauthorized
	case !w.role.AtLeast(rc.min):
		return http.StatusForbidden
	case w.scoped && rc.scoped != 0:
		return rc.scoped
	}
	return rc.ok
}

func TestEveryRouteForEveryRole(t *testing.T) {
	g := startTestGateway(t, twoStations, func(o *gateway.Options) {
		o.DiscoveryGroup, o.DiscoveryWait = "127.0.0.1:9", 10*time.Millisecond // never onto the machine's network
	})
	cases := routeCases()
	maps.Copy(cases, tourRouteCases())
	var keys []string
	for _, rt := range g.Routes() {
		key := rt.Method + " " + rt.Pattern
		keys = append(keys, key)
		if _, ok := cases[key]; !ok {
			t.Errorf("route %s (action %s) has no entry in routeCases: add who may call it", key, rt.Action)
		}
	}
	for key := range cases {
		if !slices.Contains(keys, key) {
			t.Errorf("routeCases has %s, which is no route (any more)", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(keys)

	tw := &testWalk{testGateway: g}
	walkers := []*walker{nil}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleDispatcher, auth.RoleOperator, auth.RoleAdmin} {
		for _, scoped := range []bool{false, true} {
			walkers = append(walkers, tw.newWalker(role, scoped))
		}
	}
	tw.anyone = walkers[1]
	for _, w := range walkers {
		who := "anonymous"
		if w != nil {
			who = w.user
		}
		for _, key := range keys {
			rc := cases[key]
			if got, want := rc.call(tw, w), rc.want(w); got != want {
				t.Errorf("%s as %s: status %d, want %d", key, who, got, want)
			}
		}
	}
}

// TestMustChangePasswordBlocksAllButAccount: a user who must change the
// password may only see, end or change its own session; every other route
// answers 403 with a message that says so, before its handler runs.
func TestMustChangePasswordBlocksAllButAccount(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.admin.must(201, "POST", "/api/users", map[string]any{
		"username": "fresh", "password": userPassword, "role": "admin", "stations": []string{}}, nil)
	c := g.login("fresh", userPassword)
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range g.Routes() {
		if rt.Action == authz.ActionPublic || rt.Action == authz.ActionAccount {
			continue
		}
		path := placeholder.ReplaceAllString(rt.Pattern, "x")
		resp, body := c.do(rt.Method, path, map[string]any{})
		if resp.StatusCode != 403 || !strings.Contains(string(body), "must change your password") {
			t.Errorf("%s %s while the password must change: %s %s", rt.Method, path, resp.Status, body)
		}
	}
	var me struct {
		MustChangePassword bool `json:"must_change_password"`
	}
	c.must(200, "GET", "/api/session", nil, &me)
	if !me.MustChangePassword {
		t.Fatal("whoami does not say the password must change")
	}
	c.must(400, "PUT", "/api/session/password", map[string]string{"old": userPassword, "new": "short"}, nil)
	c.must(403, "PUT", "/api/session/password", map[string]string{"old": "wrong-password", "new": "a-new-password"}, nil)
	c.must(204, "PUT", "/api/session/password", map[string]string{"old": userPassword, "new": "a-new-password"}, nil)
	c.must(200, "GET", "/api/stations", nil, nil)
	c.must(200, "GET", "/api/users", nil, nil)
	c.must(204, "DELETE", "/api/session", nil, nil)
	c.must(401, "GET", "/api/session", nil, nil)
}
