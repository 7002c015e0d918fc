package gateway_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

const relayClusterSecret = "node-secret-for-the-relay"

// The relay serves a camera to a tool (ffprobe) that gives a user's API
// token as the RTSP password, within the user's stations, and audits the
// pull as a view.
func TestRelayServesToolsWithAPITokens(t *testing.T) {
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 320, Height: 180})
	cfg := `stations:
  - id: bjx
    name: 北京西站
    cameras:
      - id: bjx-nsq-01
        name: 北广场 1
        url: ` + cams.URL("cam0") + `
        sub_url: ` + cams.SubURL("cam0") + `
        transport: tcp
  - id: bjn
    name: 北京南站
    cameras:
      - id: bjn-hall-01
        name: 候车大厅 1
        url: ` + cams.URL("cam1") + `
        transport: tcp
`
	g := startTestGateway(t, cfg, func(o *gateway.Options) {
		o.RelayAddr = "127.0.0.1:0"
		o.ClusterSecret = relayClusterSecret
	})
	addr := g.RelayAddr()
	g.createUser("tool", auth.RoleViewer, "bjx")
	tool := g.login("tool", userPassword)
	var tok struct{ ID, Token string }
	tool.must(201, "POST", "/api/tokens", map[string]string{"name": "ffprobe"}, &tok)
	waitState(t, g.admin, "bjx-nsq-01", "online", "")
	waitState(t, g.admin, "bjn-hall-01", "online", "")

	for _, c := range []struct {
		name, user, password, path string
		want                       int
	}{
		{"own token", "tool", tok.Token, "bjx-nsq-01", 200},
		{"sub stream", "tool", tok.Token, "bjx-nsq-01/sub", 200},
		{"station out of scope", "tool", tok.Token, "bjn-hall-01", 404},
		{"unknown camera", "tool", tok.Token, "bjx-nope-09", 404},
		{"token of another user", "admin", tok.Token, "bjx-nsq-01", 401},
		{"session token", "tool", tool.token, "bjx-nsq-01", 401},
		{"account password", "tool", userPassword, "bjx-nsq-01", 401},
		{"cluster secret", "bjx-2", relayClusterSecret, "bjn-hall-01", 200},
		{"wrong cluster secret", "bjx-2", relayClusterSecret + "x", "bjn-hall-01", 401},
	} {
		if got := rtspDescribe(t, addr, c.path, c.user, c.password); got != c.want {
			t.Errorf("%s: DESCRIBE /%s answered %d, want %d", c.name, c.path, got, c.want)
		}
	}

	for path, size := range map[string][2]int{"bjx-nsq-01": {320, 180}, "bjx-nsq-01/sub": {160, 90}} {
		codec, w, h := probeRTSP(t, "rtsp://tool:"+tok.Token+"@"+addr+"/"+path)
		if codec != "h264" || w != size[0] || h != size[1] {
			t.Errorf("ffprobe %s: %s %dx%d, want h264 %dx%d", path, codec, w, h, size[0], size[1])
		}
	}
	waitAudit(t, g, "view.end", func(e auditEntry) bool {
		return e.User == "tool" && e.Camera == "bjx-nsq-01" && e.Detail["via"] == "rtsp"
	})
	starts := countAudit(g.auditEntries("action=view.start"), func(e auditEntry) bool {
		return e.User == "tool" && e.Detail["via"] == "rtsp" && e.Detail["quality"] == "sub"
	})
	if starts != 1 {
		t.Errorf("%d rtsp view.start entries of the sub stream, want 1", starts)
	}

	tool.must(204, "DELETE", "/api/tokens/"+tok.ID, nil, nil)
	if got := rtspDescribe(t, addr, "bjx-nsq-01", "tool", tok.Token); got != 401 {
		t.Errorf("revoked token: %d, want 401", got)
	}
	logs := g.logs.String()
	for _, secret := range []string{tok.Token, relayClusterSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret is in the log")
		}
	}
	if !strings.Contains(logs, "credentials refused") {
		t.Error("refused credentials not logged")
	}
}

// rtspDescribe sends one DESCRIBE with Basic credentials and returns the
// status code.
func rtspDescribe(t *testing.T, addr, path, user, password string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	fmt.Fprintf(conn, "DESCRIBE rtsp://%s/%s RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic %s\r\n\r\n", addr, path, basic)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("DESCRIBE %s: %v", path, err)
	}
	var code int
	if _, err := fmt.Sscanf(line, "RTSP/1.0 %d", &code); err != nil {
		t.Fatalf("DESCRIBE %s: answer %q", path, line)
	}
	return code
}

// probeRTSP asks ffprobe for the video codec and size of an RTSP stream.
func probeRTSP(t *testing.T, url string) (string, int, int) {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not installed")
	}
	out, err := exec.Command(bin, "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
		"-show_streams", "-of", "json", url).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var s struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Streams) != 1 {
		t.Fatalf("ffprobe %s: %v", out, err)
	}
	return s.Streams[0].CodecName, s.Streams[0].Width, s.Streams[0].Height
}

// waitAudit polls the audit log until an entry of action matches.
func waitAudit(t *testing.T, g *testGateway, action string, match func(auditEntry) bool) {
	t.Helper()
	if !testwait.Until(t, func() bool { return countAudit(g.auditEntries("action="+action), match) > 0 }) {
		t.Fatalf("no matching %s entry:%s", action, fmtEntries(g.auditEntries("action="+action)))
	}
}
