package gateway_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/rtsp"
	"vigil/streams/sim"
)

// camSecret is in every camera credential of the leak test; it must not
// leave the gateway.
const camSecret = "S3CRETpw-d0-not-leak"

func TestCameraCredentialsNeverLeak(t *testing.T) {
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96,
		Username: "vigil", Password: camSecret})
	closed := closedPort(t)
	hostile := startHostileCamera(t)
	cfg := `stations:
  - id: bjx
    name: 北京西站
    cameras:
      - id: bjx-nsq-01
        name: 北广场 1
        url: rtsp://vigil:` + camSecret + `@` + cams.Addr() + `/cam0
        sub_url: rtsp://vigil:` + camSecret + `@` + cams.Addr() + `/cam0
        transport: tcp
      - id: bjx-nsq-02
        name: 北广场 2 (wrong password)
        url: rtsp://vigil:WRONG-` + camSecret + `@` + cams.Addr() + `/cam1
        transport: tcp
  - id: bjn
    name: 北京南站
    cameras:
      - id: bjn-hall-01
        name: 候车大厅 1
        vendor: hikvision
        host: 127.0.0.1
        port: ` + closed + `
        channel: 1
        username: admin
        password: ` + camSecret + `
      - id: bjn-hall-02
        name: 候车大厅 2 (quotes its URL and credentials in its errors)
        url: ` + hostile.url + `
        sub_url: rtsp://sub:SUB-` + camSecret + `@` + hostile.addr + `/sub
        transport: tcp
`
	g := startTestGateway(t, cfg)
	g.createUser("disp", auth.RoleDispatcher, "bjn")
	disp := g.login("disp", userPassword)
	waitState(t, g.admin, "bjx-nsq-01", "online", "")
	waitState(t, g.admin, "bjx-nsq-02", "offline", "unauthorized")
	waitState(t, g.admin, "bjn-hall-01", "offline", "")
	waitState(t, g.admin, "bjn-hall-02", "offline", "stream_error")

	var answers []string
	grab := func(c *client, method, path string, body any) {
		resp, data := c.do(method, path, body)
		answers = append(answers, method+" "+path+" "+resp.Status+"\n"+headerText(resp.Header)+string(data))
	}
	tw := &testWalk{testGateway: g}
	for _, c := range []*client{g.admin, disp, g.anon()} {
		grab(c, "GET", "/api/stations", nil)
		for _, id := range []string{"bjx-nsq-01", "bjx-nsq-02", "bjn-hall-01", "bjn-hall-02", "nope"} {
			grab(c, "GET", "/api/cameras/"+id, nil)
			grab(c, "POST", "/api/whep/"+id, tw.whepOffer())
			grab(c, "POST", "/api/whep/"+id, "not sdp")
			grab(c, "POST", "/api/whep/"+id+"?quality=sub", tw.whepOffer())
		}
		grab(c, "GET", "/api/layouts", nil)
		grab(c, "GET", "/api/walls", nil)
		grab(c, "GET", "/api/session", nil)
		grab(c, "GET", "/healthz", nil)
		grab(c, "GET", "/metrics", nil)
	}
	grab(g.admin, "PUT", "/api/walls/main", map[string]any{"grid": "2x2", "cameras": []string{"bjx-nsq-01", "bjx-nsq-02", "bjn-hall-01"}})
	grab(g.admin, "GET", "/api/users", nil)
	grab(g.admin, "GET", "/api/tokens", nil)
	grab(g.admin, "GET", "/api/audit?limit=1000", nil)

	// The console WebSocket's pushes: health, tiles, walls.
	ws := dialConsole(t, g.URL(), g.admin.token, "")
	ws.negotiate(t)
	for i, id := range []string{"bjx-nsq-01", "bjx-nsq-02", "bjn-hall-01", "nope"} {
		ws.send(t, map[string]any{"type": "assign", "tile": i, "camera": id})
	}
	ws.send(t, map[string]any{"type": "follow", "wall": "main"})
	ws.send(t, map[string]any{"type": "bogus"})
	ws.waitFor(t, "playing", isTile(0, "playing"))
	collect := time.After(time.Second)
	for done := false; !done; {
		select {
		case m := <-ws.msgs:
			answers = append(answers, "ws "+toJSON(m))
		case <-collect:
			done = true
		}
	}

	// A refused config names the line, never the credentials.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(cfg, "@"+cams.Addr()+"/cam1", "@[::1/cam1", 1)), 0o600)
	bg, err := gateway.New(context.Background(), gateway.Options{ConfigPath: bad, HTTPAddr: "127.0.0.1:0",
		DataDir: t.TempDir(), WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword})
	if err == nil {
		bg.Close()
		t.Fatal("bad config accepted")
	}
	if strings.Contains(err.Error(), camSecret) {
		t.Errorf("credential in the config error: %v", err)
	}

	g.Close() // flushes the audit log and ends the sources' logging
	for _, a := range answers {
		if strings.Contains(a, camSecret) || strings.Contains(a, "rtsp://") {
			t.Errorf("camera URL or credential in an answer:\n%s", a)
		}
	}
	if !strings.Contains(strings.Join(answers, "\n"), `Internal Error for \u003curl\u003e`) { // JSON escapes < and >
		t.Error("the hostile camera's last_error is not in the answers: the test saw too little")
	}
	logs := g.logs.String()
	if !strings.Contains(logs, "Internal Error for rtsp://***@") {
		t.Error("the hostile camera's error is not in the log: the test saw too little")
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, camSecret) {
			t.Errorf("credential in a log line: %s", line)
		}
	}
	if len(answers) < 60 || !strings.Contains(logs, "bjx-nsq-02") {
		t.Fatalf("the test saw too little: %d answers, logs:\n%s", len(answers), logs)
	}
}

// waitState polls a camera until it reaches state (and reason, if given).
func waitState(t *testing.T, c *client, id, state, reason string) {
	t.Helper()
	testwait.For(t, id+" "+state+"/"+reason, func() bool {
		var cam struct{ State, Reason string }
		c.must(200, "GET", "/api/cameras/"+id, nil, &cam)
		return cam.State == state && (reason == "" || cam.Reason == reason)
	})
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

func headerText(h http.Header) string {
	var b strings.Builder
	h.Write(&b)
	return b.String()
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// hostileCamera answers every DESCRIBE with 500 and a reason that quotes its
// URL and credentials, plain and escaped (finding 6 of issue 17).
type hostileCamera struct{ addr, url string }

func startHostileCamera(t *testing.T) hostileCamera {
	t.Helper()
	var camURL atomic.Value // known once the server has its port
	srv, err := rtsp.NewServer(rtsp.ServerOptions{Address: "127.0.0.1:0", Refuse: func(string) (int, string) {
		return 500, "Internal Error for " + camURL.Load().(string) + " user=admin&pwd=" + camSecret +
			" sub SUB-" + camSecret
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	h := hostileCamera{addr: srv.Addr()}
	h.url = "rtsp://admin:" + camSecret + "@" + h.addr + "/user=admin&password=" + camSecret +
		"&channel=1&stream=0.sdp?pwd=" + camSecret
	camURL.Store(h.url)
	return h
}
