package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"vigil/internal/testwait"
)

// cameraStatus is GET /api/cameras/{id}'s status code.
func cameraStatus(t *testing.T, base, token, id string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/cameras/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSIGHUPReloads: SIGHUP applies a changed config file (a camera
// added) and refuses a broken one, logging why, with the process running on.
func TestSIGHUPReloads(t *testing.T) {
	cams := startCameras(t, "cam0", "cam1")
	path := cameraConfig(t, cams, "", "cam0")
	p := startVigil(t, nil, "-config", path, "-data", filepath.Join(t.TempDir(), "data"),
		"-http", "127.0.0.1:0", "-webrtc-udp", "127.0.0.1:0", "-webrtc-tcp", "127.0.0.1:0")
	base := p.baseURL()
	token := loginAdmin(t, base)
	if got := cameraStatus(t, base, token, "bjx-nsq-02"); got != http.StatusNotFound {
		t.Fatalf("camera 2 before the reload: %d", got)
	}
	grown, _ := os.ReadFile(cameraConfig(t, cams, "", "cam0", "cam1"))
	if err := os.WriteFile(path, grown, 0o644); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	testwait.For(t, "the added camera", func() bool { return cameraStatus(t, base, token, "bjx-nsq-02") == http.StatusOK })
	// The camera is served before the reload's log line is written, and
	// the line reaches the test through a pipe and a goroutine: wait for it.
	var m map[string]any
	testwait.For(t, "the reload logged", func() bool {
		m, _ = p.logged("config reloaded")
		return m != nil
	})
	if changed := fmt.Sprint(m["changed"]); !strings.Contains(changed, "camera bjx-nsq-02 added") {
		t.Fatalf("reload logged changed %s", changed)
	}

	if err := os.WriteFile(path, append(grown, "bogus: 1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	var refused map[string]any
	testwait.For(t, "the refusal logged", func() bool {
		refused, _ = p.logged("config reload refused: the running config is kept")
		return refused != nil
	})
	if msg, _ := json.Marshal(refused["err"]); !strings.Contains(string(msg), "bogus: unknown key") {
		t.Fatalf("refusal logged %s", msg)
	}
	if !p.alive() || cameraStatus(t, base, token, "bjx-nsq-02") != http.StatusOK {
		t.Fatal("a refused reload stopped vigil or a camera")
	}
}
