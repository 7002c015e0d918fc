package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
)

// waitReaders waits until none of hubs has a reader.
func waitReaders(t *testing.T, hubs map[string]*hub.Hub) {
	t.Helper()
	for id, h := range hubs {
		testwait.For(t, "no reader left on "+id, func() bool { return h.Stats().Readers == 0 })
	}
}

func TestConsoleKilledSocketReleasesEverything(t *testing.T) {
	g, token, ids := startCameras(t, 4, sim.ServerOptions{Width: 160, Height: 96})
	hubs := mainHubs(t, g, ids)
	// Sources settled: every camera past its first GOP, so the goroutines
	// counted are the steady ones.
	for id, h := range hubs {
		testwait.For(t, id+" past its first GOP", func() bool { return h.Stats().Keyframes >= 2 })
	}
	before := runtime.NumGoroutine()

	c := dialConsole(t, g.URL(), token, "")
	rx := c.negotiate(t)
	c.send(t, map[string]any{"type": "follow", "wall": "main"})
	for tile, id := range ids {
		c.send(t, map[string]any{"type": "assign", "tile": tile, "camera": id})
	}
	c.waitPlaying(t, 0, 1, 2, 3)
	for id, h := range hubs {
		if h.Stats().Readers != 1 {
			t.Fatalf("camera %s: %d readers, want 1", id, h.Stats().Readers)
		}
	}

	c.ws.UnderlyingConn().Close() // the console dies: no close frame
	waitReaders(t, hubs)
	rx.Close()

	if !testwait.Until(t, func() bool { return runtime.NumGoroutine() <= before }) {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines, %d before the console:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
	}
}

func TestConsoleOriginIsChecked(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Width: 160, Height: 96})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"foreign origin with bearer", http.Header{"Authorization": {"Bearer " + token}, "Origin": {"http://evil.example"}}, 403},
		{"foreign origin with cookie", http.Header{"Cookie": {"vigil_session=" + token}, "Origin": {"http://evil.example"}}, 403},
		{"same host other port", http.Header{"Cookie": {"vigil_session=" + token}, "Origin": {"http://127.0.0.1:1"}}, 403},
		{"cookie without origin", http.Header{"Cookie": {"vigil_session=" + token}}, 403},
		{"no credentials", http.Header{"Origin": {g.URL()}}, 401},
		{"own origin with cookie", http.Header{"Cookie": {"vigil_session=" + token}, "Origin": {g.URL()}}, 101},
		{"bearer without origin", http.Header{"Authorization": {"Bearer " + token}}, 101},
	} {
		ws, resp, err := websocket.DefaultDialer.Dial(wsURL(g.URL()), tc.header)
		if ws != nil {
			ws.Close()
		}
		if resp == nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %s, want %d", tc.name, resp.Status, tc.want)
		}
	}
}

func TestConsoleClosesWhenTheSessionEnds(t *testing.T) {
	defer gateway.SetConsoleRecheck(200 * time.Millisecond)()
	g, admin, ids := startCameras(t, 1, sim.ServerOptions{Width: 160, Height: 96})
	hubs := mainHubs(t, g, ids)
	waitOnline(t, hubs[ids[0]])
	token := addUser(t, g, "li", "viewer")

	expired := dialConsole(t, g.URL(), admin, "")
	expired.negotiate(t)
	expired.send(t, map[string]any{"type": "assign", "tile": 0, "camera": ids[0]})
	expired.waitFor(t, "playing", isTile(0, "playing"))
	loggedOut := dialConsole(t, g.URL(), token, "")

	// Idle expiry, as if the session had not been used for the idle timeout.
	past := time.Now().Add(-time.Minute)
	if err := g.Store().TouchSession(context.Background(), sessionID(admin), past, past); err != nil {
		t.Fatal(err)
	}
	if resp := do(t, "DELETE", g.URL()+"/api/session", token, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %s", resp.Status)
	}
	for _, c := range []*consoleClient{expired, loggedOut} {
		select {
		case <-c.done:
		case <-time.After(testwait.Cap):
			t.Fatal("the console stayed open after its session ended")
		}
		if c.closeCode != 4001 {
			t.Errorf("close code %d, want 4001", c.closeCode)
		}
	}
	waitReaders(t, hubs)
}

func TestConsoleFollowsAWall(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	g, admin := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{
		"bjx": {"bjx-nsq-01"}, "bj": {"bj-zt-01"},
	}))
	viewer := addUser(t, g, "li", "viewer", "bj")
	op := dialConsole(t, g.URL(), admin, "")
	kiosk := dialConsole(t, g.URL(), viewer, "")
	for _, c := range []*consoleClient{op, kiosk} {
		c.send(t, map[string]any{"type": "follow", "wall": "main"})
		m := c.waitFor(t, "layout", isType("layout"))
		if m["wall"] != "main" || m["layout"].(map[string]any)["grid"] != "" {
			t.Fatalf("first layout %v", m)
		}
	}

	body := `{"grid":"2x2","cameras":["bjx-nsq-01","","bj-zt-01"]}`
	if resp := do(t, "PUT", g.URL()+"/api/walls/main", viewer, strings.NewReader(body)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer PUT: %s", resp.Status)
	}
	put := time.Now()
	if resp := do(t, "PUT", g.URL()+"/api/walls/main", admin, strings.NewReader(body)); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s", resp.Status)
	}
	for c, want := range map[*consoleClient]string{op: "[bjx-nsq-01  bj-zt-01]", kiosk: "[  bj-zt-01]"} {
		m := c.waitFor(t, "layout after the PUT", isType("layout"))
		l := m["layout"].(map[string]any)
		if l["grid"] != "2x2" || stringsOf(l["cameras"]) != want || m["updated_by"] != "admin" || m["updated_at"] == "" {
			t.Errorf("layout %v, want cameras %s", m, want)
		}
	}
	t.Logf("followers told %v after the PUT was sent", time.Since(put))

	// Unfollowing stops the pushes.
	kiosk.send(t, map[string]any{"type": "follow", "wall": ""})
	// The socket's messages are handled in order: once a bad message's
	// error comes back, the unfollow before it has taken effect.
	kiosk.send(t, map[string]any{"type": "no-such-message"})
	kiosk.waitFor(t, "the error after the unfollow", isType("error"))
	do(t, "PUT", g.URL()+"/api/walls/main", admin, strings.NewReader(`{"grid":"1","cameras":["bj-zt-01"]}`))
	op.waitFor(t, "second layout", isType("layout"))
	select {
	case m := <-kiosk.msgs:
		if m["type"] == "layout" {
			t.Fatal("an unfollowed wall was pushed")
		}
	case <-time.After(300 * time.Millisecond):
	}
}

func TestWallPutRefusesBadRequests(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Width: 160, Height: 96})
	g, admin := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-nsq-01"}}))
	for _, tc := range []struct {
		path, body string
		want       int
	}{
		{"/api/walls/nope", `{"grid":"1","cameras":[]}`, 404},
		{"/api/walls/main", `{"grid":"3x4","cameras":[]}`, 400},
		{"/api/walls/main", `{"grid":"1","cameras":["bjx-nsq-01","bjx-nsq-01"]}`, 400},
		{"/api/walls/main", `{"grid":"1","cameras":["bjx-nsq-99"]}`, 400},
		{"/api/walls/main", `{"grid":"1","cameras":[],"extra":1}`, 400},
		{"/api/walls/main", `{"layout_id":"nope"}`, 400},
		{"/api/walls/main", `{"layout_id":"x","grid":"1"}`, 400},
		{"/api/walls/main", `{}`, 400},
		{"/api/walls/main", `not json`, 400},
	} {
		resp := do(t, "PUT", g.URL()+tc.path, admin, bytes.NewReader([]byte(tc.body)))
		if resp.StatusCode != tc.want {
			t.Errorf("PUT %s %s: %s, want %d", tc.path, tc.body, resp.Status, tc.want)
		}
	}
	resp := do(t, "GET", g.URL()+"/api/walls", admin, nil)
	var out struct {
		Walls []struct {
			ID     string
			Layout struct{ Grid string }
		}
	}
	decode(t, resp, &out)
	if len(out.Walls) != 1 || out.Walls[0].ID != "main" || out.Walls[0].Layout.Grid != "" {
		t.Fatalf("walls after refused PUTs: %+v", out)
	}
}
