package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

// clusterView is GET /api/cluster as a node answers it.
type clusterView struct {
	Nodes []struct {
		Name, State string
	}
	Cameras []struct {
		Camera, Node string
	}
}

func getCluster(t *testing.T, base, token string) clusterView {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/cluster", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v clusterView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// owns reports whether node owns exactly cameras cameras of the view.
func (v clusterView) owns(node string, cameras int) bool {
	n := 0
	for _, c := range v.Cameras {
		if c.Node == node {
			n++
		}
	}
	return n == cameras
}

func (v clusterView) nodeState(name string) string {
	for _, n := range v.Nodes {
		if n.Name == name {
			return n.State
		}
	}
	return ""
}

func loopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestSIGTERMHandsCamerasOver runs a station's two nodes as real processes
// on one PostgreSQL database. SIGTERM to the owner makes the standby own
// both cameras while the draining owner is still running (its drain delay
// is ten minutes, its lease period 10 s, and it says goodbye: "stopped",
// not "stale"), so the handover did not wait for a lease to run out.
func TestSIGTERMHandsCamerasOver(t *testing.T) {
	storeURL := storetest.FreshDatabase(t)
	cams := startCameras(t, "cam0", "cam1")
	dir := t.TempDir()
	storeFile, secretFile := filepath.Join(dir, "store"), filepath.Join(dir, "secret")
	os.WriteFile(storeFile, []byte(storeURL+"\n"), 0o600)
	os.WriteFile(secretFile, []byte("cluster-secret-for-tests-0123\n"), 0o600)
	cluster := fmt.Sprintf(`cluster:
  store_file: %s
  secret_file: %s
  nodes:
    - {name: bjx-1, api: "http://127.0.0.1:1", relay: "%s"}
    - {name: bjx-2, api: "http://127.0.0.1:3", relay: "%s"}
`, storeFile, secretFile, loopbackAddr(t), loopbackAddr(t))
	cfg := cameraConfig(t, cams, "    nodes: [bjx-1, bjx-2]\n", "cam0", "cam1")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, cluster...), 0o600)

	node := func(name string) *proc {
		return startVigil(t, nil, "-config", cfg, "-node", name, "-data", filepath.Join(dir, name),
			"-http", "127.0.0.1:0", "-webrtc-udp", "127.0.0.1:0", "-webrtc-tcp", "127.0.0.1:0",
			"-grace", "15m", "-drain-delay", "10m")
	}
	first := node("bjx-1")
	firstURL := first.baseURL()
	token := loginAdmin(t, firstURL)
	testwait.For(t, "bjx-1 to own both cameras", func() bool { return getCluster(t, firstURL, token).owns("bjx-1", 2) })
	second := node("bjx-2")
	secondURL := second.baseURL()
	testwait.For(t, "bjx-2 to see bjx-1 own both", func() bool { return getCluster(t, secondURL, token).owns("bjx-1", 2) })

	first.signal(syscall.SIGTERM)
	testwait.For(t, "bjx-2 to own both cameras and see bjx-1 stopped", func() bool {
		v := getCluster(t, secondURL, token)
		return v.owns("bjx-2", 2) && v.nodeState("bjx-1") == "stopped"
	})
	if !first.alive() {
		t.Fatal("bjx-1 exited before the handover was seen: the test proves nothing")
	}
	if got := status(firstURL + "/readyz"); got != http.StatusServiceUnavailable {
		t.Fatalf("draining bjx-1's /readyz: %d, want 503", got)
	}
	first.signal(syscall.SIGTERM) // a second signal ends it at once
	first.waitExit()
}
