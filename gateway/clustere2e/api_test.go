package clustere2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/internal/testwait"
	"vigil/streams/webrtc/webrtctest"
)

// client is short: a node that does not answer must not hold a test
// step up.
var client = &http.Client{Timeout: 10 * time.Second}

// status returns the status code of GET url, 0 when it does not answer.
func status(url string) int {
	resp, err := client.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// call makes a request and returns the status and body (status 0 when
// the node does not answer).
func call(method, url, token string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func login(t *testing.T, base string) string {
	t.Helper()
	code, b := call("POST", base+"/api/session", "", map[string]string{"username": "admin", "password": adminPassword})
	var out struct{ Token string }
	if code != http.StatusOK || json.Unmarshal(b, &out) != nil || out.Token == "" {
		t.Fatalf("login at %s: %d %s", base, code, b)
	}
	return out.Token
}

// clusterView is GET /api/cluster.
type clusterView struct {
	Node  string
	State struct {
		Ready  bool
		Reason string
	}
	Nodes []struct {
		Name         string
		State        string
		Heartbeat    time.Time `json:"last_heartbeat"`
		CamerasOwned int       `json:"cameras_owned"`
	}
	Cameras []struct {
		Camera, Node string
		ExpiresAt    time.Time `json:"expires_at"`
	}
}

// clusterOf reads GET /api/cluster on base; ok is false when the node
// does not answer 200.
func clusterOf(base, token string) (v clusterView, ok bool) {
	code, b := call("GET", base+"/api/cluster", token, nil)
	if code != http.StatusOK || json.Unmarshal(b, &v) != nil {
		return v, false
	}
	return v, true
}

// owners is camera → owner as base shows it.
func owners(base, token string) map[string]string {
	v, _ := clusterOf(base, token)
	m := map[string]string{}
	for _, c := range v.Cameras {
		m[c.Camera] = c.Node
	}
	return m
}

// ownedBy reports whether base shows node owning every camera of cams.
func ownedBy(base, token, node string, cams []string) bool {
	o := owners(base, token)
	for _, c := range cams {
		if o[c] != node {
			return false
		}
	}
	return true
}

// openWHEP starts a pion WHEP viewer of camera on base.
func openWHEP(t *testing.T, base, token, camera string) *webrtctest.Receiver {
	t.Helper()
	rx, offer, err := webrtctest.New(webrtctest.Options{Videos: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/whep/"+camera, strings.NewReader(offer))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHEP offer for %s: %s %s", camera, resp.Status, answer)
	}
	must(t, rx.Accept(string(answer)))
	return rx
}

// frames reads n frames of the viewer, the first a keyframe (SPS, PPS,
// IDR) and none after lost packets; it returns how long they took.
func frames(t *testing.T, rx *webrtctest.Receiver, n int, what string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	start := time.Now()
	for i := range n {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatalf("%s: after %d frames: %v", what, i, err)
		}
		if i == 0 && !f.IsKey() {
			t.Fatalf("%s: first frame NAL types %v, want SPS, PPS and IDR", what, f.NALTypes())
		}
	}
	return time.Since(start)
}

// resume skips the frames that arrived before since (buffered while the
// test did other things, or sent before the cut), then reads until a
// keyframe, then n more without a gap; it returns how long after since
// the keyframe arrived.
func resume(t *testing.T, rx *webrtctest.Receiver, since time.Time, n int, what string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var key webrtctest.Frame
	for {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatalf("%s: the viewer did not resume: %v", what, err)
		}
		if !f.Arrived.Before(since) && f.IsKey() {
			key = f
			break
		}
	}
	for i := range n {
		f, err := rx.Next(ctx, 0)
		if err != nil || f.Gap {
			t.Fatalf("%s: frame %d after resuming: %v (gap %v)", what, i, err, f.Gap)
		}
	}
	return key.Arrived.Sub(since)
}

// afterOutage reads the frames that arrived after from until n arrived
// after until, and returns the first frame after the longest silence:
// the one the viewer got when the stream came back.
func afterOutage(t *testing.T, rx *webrtctest.Receiver, from, until time.Time, n int, what string) webrtctest.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var back webrtctest.Frame
	var prev time.Time
	var silence time.Duration
	for late := 0; late < n; {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatalf("%s: the viewer did not resume: %v", what, err)
		}
		if f.Arrived.Before(from) {
			continue
		}
		if prev.IsZero() {
			prev = from
		}
		if gap := f.Arrived.Sub(prev); gap > silence {
			silence, back = gap, f
		}
		prev = f.Arrived
		if !f.Arrived.Before(until) {
			late++
		}
	}
	return back
}

// console is a console WebSocket whose messages one goroutine reads.
type console struct {
	ws   *websocket.Conn
	msgs chan map[string]any
}

func dialConsole(t *testing.T, base, token string) *console {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/ws", h)
	if err != nil {
		t.Fatalf("console at %s: %v", base, err)
	}
	c := &console{ws: ws, msgs: make(chan map[string]any, 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(c.msgs)
		for {
			var m map[string]any
			if err := ws.ReadJSON(&m); err != nil {
				return
			}
			select {
			case c.msgs <- m:
			default: // a test that stopped reading loses messages, not the reader
			}
		}
	}()
	t.Cleanup(func() { ws.Close(); <-done })
	return c
}

func (c *console) send(t *testing.T, m any) {
	t.Helper()
	must(t, c.ws.WriteJSON(m))
}

// waitFor returns the first message matching; it fails the test when
// the console closes or testwait's cap passes.
func (c *console) waitFor(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	timeout := time.NewTimer(testwait.Cap)
	defer timeout.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				t.Fatalf("console closed while waiting for %s", what)
			}
			if match(m) {
				return m
			}
		case <-timeout.C:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}
