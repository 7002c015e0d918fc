package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/config"
	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
)

// clusterConfig is one station with two nodes over a shared PostgreSQL
// database, its cameras pulled from cams.
func clusterConfig(t *testing.T, storeURL string, cams *sim.Server) string {
	dir := t.TempDir()
	storeFile, secretFile := filepath.Join(dir, "store"), filepath.Join(dir, "secret")
	os.WriteFile(storeFile, []byte(storeURL+"\n"), 0o600)
	os.WriteFile(secretFile, []byte("cluster-secret-for-tests-0123\n"), 0o600)
	var b strings.Builder
	fmt.Fprintf(&b, "stations:\n  - id: bjx\n    name: 北京西站\n    nodes: [bjx-1, bjx-2]\n    cameras:\n")
	for i, name := range []string{"cam0", "cam1"} {
		fmt.Fprintf(&b, "      - {id: bjx-nsq-0%d, url: \"rtsp://%s/%s\", transport: tcp, record: false}\n", i+1, cams.Addr(), name)
	}
	fmt.Fprintf(&b, `cluster:
  store_file: %s
  secret_file: %s
  nodes:
    - {name: bjx-1, api: "http://%s", relay: "%s"}
    - {name: bjx-2, api: "http://%s", relay: "%s"}
    - {name: center, api: "http://%s", relay: "%s"}
`, storeFile, secretFile, freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t))
	return b.String()
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startNode(t *testing.T, cfg, node string) (*gateway.Gateway, error) {
	t.Helper()
	return startNodeIn(t, cfg, node, t.TempDir())
}

// startNodeIn starts node with its data (and config copy) under dir: a
// node restarted in the same dir finds its recordings again.
func startNodeIn(t *testing.T, cfg, node, dir string) (*gateway.Gateway, error) {
	t.Helper()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgs, err := config.Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	self, _ := cfgs.Cluster.Node(node)
	httpAddr := strings.TrimPrefix(self.API, "http://")
	if httpAddr == "" {
		httpAddr = "127.0.0.1:0"
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil)).With("node", node)
	}
	return gateway.New(context.Background(), gateway.Options{
		ConfigPath: path, Node: node, HTTPAddr: httpAddr, DataDir: filepath.Join(dir, "data"),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword, Logger: log,
	})
}

// owners reads GET /api/cluster's camera → node.
func owners(t *testing.T, base, token string) map[string]string {
	t.Helper()
	var out struct {
		Enabled bool
		Cameras []struct{ Camera, Node string }
	}
	decode(t, do(t, "GET", base+"/api/cluster", token, nil), &out)
	m := map[string]string{}
	for _, c := range out.Cameras {
		m[c.Camera] = c.Node
	}
	return m
}

func hubFrames(g *gateway.Gateway, camera string) uint64 {
	c, _ := g.Catalog().Camera(camera)
	return c.MainHub.Stats().Frames
}

func hubOnline(g *gateway.Gateway, camera string) bool {
	c, _ := g.Catalog().Camera(camera)
	return c.MainHub.Status().State == hub.StateOnline
}

// TestTwoNodesShareOneStation runs a station's two nodes in one process
// over one PostgreSQL database: the preferred node pulls the cameras, the
// standby does not; a login and the audit chain are shared; a second
// process under a live name is refused; a graceful stop hands the cameras
// over at once.
func TestTwoNodesShareOneStation(t *testing.T) {
	// Sessions are re-checked only on events: a revocation must not
	// depend on the periodic re-check to reach the other node.
	defer gateway.SetConsoleRecheck(time.Hour)()
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	cfg := clusterConfig(t, storetest.FreshDatabase(t), cams)

	first, err := startNode(t, cfg, "bjx-1")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	testwait.For(t, "bjx-1 pulls both cameras", func() bool {
		return hubOnline(first, "bjx-nsq-01") && hubOnline(first, "bjx-nsq-02")
	})
	second, err := startNode(t, cfg, "bjx-2")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	// One login, valid on both nodes.
	token := login(t, first.URL(), "admin", adminPassword)
	testwait.For(t, "bjx-2 sees bjx-1 own both", func() bool {
		o := owners(t, second.URL(), token)
		return o["bjx-nsq-01"] == "bjx-1" && o["bjx-nsq-02"] == "bjx-1"
	})
	if hubFrames(second, "bjx-nsq-01")+hubFrames(second, "bjx-nsq-02") != 0 {
		t.Fatal("the standby pulls cameras the preferred node owns")
	}
	checkEventsCross(t, first, second, token)

	// The central node owns nothing: a viewer there gets the camera
	// through its owner's relay, and the tree shows every camera's health.
	center, err := startNode(t, cfg, "center")
	if err != nil {
		t.Fatal(err)
	}
	defer center.Close()
	testwait.For(t, "the center sees bjx-1 own both", func() bool { return owners(t, center.URL(), token)["bjx-nsq-01"] == "bjx-1" })
	viewer := openWHEP(t, center.URL(), token, "bjx-nsq-01")
	countDecodable(t, viewer, 25)
	testwait.For(t, "the center shows the unwatched camera online", func() bool { return hubOnline(center, "bjx-nsq-02") })

	for _, node := range []string{"bjx-1", "nobody"} {
		if g, err := startNode(t, cfg, node); err == nil {
			g.Close()
			t.Fatalf("a second process started as %s", node)
		} else if node == "bjx-1" && !errors.Is(err, store.ErrNodeLive) {
			t.Fatalf("second bjx-1: %v", err)
		} else if node == "nobody" && !strings.Contains(err.Error(), "no such node") {
			t.Fatalf("unknown node: %v", err)
		}
	}

	first.Close()
	testwait.For(t, "bjx-2 pulls both cameras after the handover", func() bool {
		return hubFrames(second, "bjx-nsq-01") > 0 && hubFrames(second, "bjx-nsq-02") > 0
	})
	o := owners(t, second.URL(), token)
	if o["bjx-nsq-01"] != "bjx-2" {
		t.Fatalf("owners after handover: %v", o)
	}
	// The relayed viewer resumes by itself from the new owner, keyframe first.
	resumeAfterFailover(t, viewer)
	resp := do(t, "GET", second.URL()+"/readyz", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz = %d", resp.StatusCode)
	}
}

// checkEventsCross pushes a wall on one node and sees a console following
// it on the other get the layout; revokes a user's sessions on one node
// and sees the user's console on the other closed.
func checkEventsCross(t *testing.T, from, to *gateway.Gateway, adminToken string) {
	follower := dialConsole(t, to.URL(), adminToken, "")
	follower.send(t, map[string]any{"type": "follow", "wall": "main"})
	follower.waitFor(t, "the wall's current layout", isType("layout"))
	pushed := time.Now()
	body := `{"grid":"1","cameras":["bjx-nsq-02"]}`
	if resp := do(t, "PUT", from.URL()+"/api/walls/main", adminToken, strings.NewReader(body)); resp.StatusCode != http.StatusOK {
		t.Fatalf("push to wall: %s", resp.Status)
	}
	follower.waitFor(t, "the pushed layout on the other node", func(m map[string]any) bool {
		return m["type"] == "layout" && strings.Contains(fmt.Sprint(m), "bjx-nsq-02")
	})
	t.Logf("wall push reached the other node's console after %v", time.Since(pushed).Round(time.Millisecond))

	li := addUser(t, from, "li", auth.RoleViewer)
	console := dialConsole(t, to.URL(), li, "")
	if resp := do(t, "DELETE", from.URL()+"/api/users/li/sessions", adminToken, nil); resp.StatusCode/100 != 2 {
		t.Fatalf("revoke: %s", resp.Status)
	}
	testwait.For(t, "the revoked user's console on the other node to close", func() bool {
		select {
		case <-console.done:
			return true
		default:
			return false
		}
	})
	if console.closeCode != 4001 {
		t.Fatalf("close code %d, want 4001", console.closeCode)
	}
}

// resumeAfterFailover reads frames until a keyframe after a gap in the
// stream (the owner changed), then 25 more without a gap.
func resumeAfterFailover(t *testing.T, v *whepViewer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for {
		f, err := v.Next(ctx, 0)
		if err != nil {
			t.Fatalf("the viewer did not resume: %v", err)
		}
		if f.IsKey() {
			break
		}
	}
	for i := range 25 {
		f, err := v.Next(ctx, 0)
		if err != nil {
			t.Fatalf("%d frames after resuming: %v", i, err)
		}
		if f.Gap {
			t.Fatalf("frame %d after resuming follows lost packets", i)
		}
	}
}

// TestExportAcrossAFailover records a camera on bjx-1, hands it to bjx-2,
// restarts bjx-1 (which keeps its recordings but not the camera), and
// exports on bjx-2 a range that spans both: one MP4 with at most the
// handover missing.
func TestExportAcrossAFailover(t *testing.T) {
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 320, Height: 180, GOP: 25})
	cfg := strings.ReplaceAll(clusterConfig(t, storetest.FreshDatabase(t), cams), "record: false", "record: true")
	dir1 := t.TempDir()
	first, err := startNodeIn(t, cfg, "bjx-1", dir1)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now()
	testwait.For(t, "bjx-1 records 3 s", func() bool { return first.RecordedUntil("bjx-nsq-01").After(from.Add(3 * time.Second)) })
	second, err := startNode(t, cfg, "bjx-2")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	first.Close() // hands the cameras over at once
	first, err = startNodeIn(t, cfg, "bjx-1", dir1)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	handover := time.Now()
	testwait.For(t, "bjx-2 records 3 s after the handover", func() bool {
		return second.RecordedUntil("bjx-nsq-01").After(handover.Add(3 * time.Second))
	})
	to := second.RecordedUntil("bjx-nsq-01").Add(-500 * time.Millisecond)

	token := login(t, second.URL(), "admin", adminPassword)
	console := dialConsole(t, first.URL(), token, "") // the exporter's console is on the other node
	body := fmt.Sprintf(`{"camera":"bjx-nsq-01","from":%q,"to":%q,"reason":"failover test"}`,
		from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	var job clipJob
	decode(t, do(t, "POST", second.URL()+"/api/clips", token, strings.NewReader(body)), &job)
	testwait.For(t, "the export to finish", func() bool {
		decode(t, do(t, "GET", second.URL()+"/api/clips/"+job.ID, token, nil), &job)
		return job.Status == "done" || job.Status == "failed"
	})
	if job.Status != "done" {
		t.Fatalf("export across the failover: %+v", job)
	}
	console.waitFor(t, "the export's progress on a console of the other node", func(m map[string]any) bool {
		return m["type"] == "clip" && m["id"] == job.ID && m["status"] == "done"
	})
	missing := time.Duration(0)
	for _, m := range job.Missing {
		a, _ := time.Parse(time.RFC3339Nano, m.From)
		b, _ := time.Parse(time.RFC3339Nano, m.To)
		missing += b.Sub(a)
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	resp := do(t, "GET", second.URL()+job.File, token, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(f, resp.Body)
	f.Close()
	p := probeClip(t, path)
	want := to.Sub(from) - missing
	t.Logf("clip of %.1f s from two nodes: %.1f s of video, %v missing around the handover", to.Sub(from).Seconds(), p.duration, missing)
	if !p.firstKey || p.duration < want.Seconds()-2 || missing > 5*time.Second {
		t.Fatalf("clip: %+v, want about %.1f s with at most the handover missing (%v)", p, want.Seconds(), missing)
	}
	if d := from.Add(3 * time.Second); p.duration < to.Sub(d).Seconds() {
		t.Fatalf("the clip holds %.1f s: bjx-1's part is missing", p.duration)
	}

	// With bjx-1 down, its part is listed as missing rather than failing.
	first.Close()
	decode(t, do(t, "POST", second.URL()+"/api/clips", token, strings.NewReader(body)), &job)
	testwait.For(t, "the second export to finish", func() bool {
		decode(t, do(t, "GET", second.URL()+"/api/clips/"+job.ID, token, nil), &job)
		return job.Status == "done" || job.Status == "failed"
	})
	if job.Status != "done" || len(job.Missing) == 0 {
		t.Fatalf("export with a holding node down: %+v", job)
	}
	if m, _ := time.Parse(time.RFC3339Nano, job.Missing[0].To); m.Before(from.Add(3 * time.Second)) {
		t.Fatalf("missing %+v does not cover bjx-1's part", job.Missing)
	}
}
