package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"

	"vigil/gateway/audit"
	"vigil/gateway/signal"
	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/webrtc/webrtctest"
)

func loginAdmin(t *testing.T, base string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": testAdminPassword})
	resp, err := http.Post(base+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %s %v", resp.Status, err)
	}
	return out.Token
}

func dialConsole(base, token string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/api/ws", h)
}

// offerWHEP posts a real WebRTC offer for camera and returns the status
// (and, on 201, has the receiver take the answer).
func offerWHEP(t *testing.T, base, token, camera string) int {
	t.Helper()
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	req, _ := http.NewRequest("POST", base+"/api/whep/"+camera, strings.NewReader(offer))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer bytes.Buffer
	answer.ReadFrom(resp.Body)
	if resp.StatusCode == http.StatusCreated {
		if err := rx.Accept(answer.String()); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// readUntilClosed reads console messages until the connection closes and
// returns the reconnect message seen (if any) and the close error.
func readUntilClosed(ws *websocket.Conn) (reconnect map[string]any, closeErr *websocket.CloseError) {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			errors.As(err, &closeErr)
			return reconnect, closeErr
		}
		var m map[string]any
		if json.Unmarshal(data, &m) == nil && m["type"] == "reconnect" {
			reconnect = m
		}
	}
}

// TestSIGTERMDrains runs the real binary with a console and a WHEP viewer
// and stops it as systemd and Kubernetes do: /readyz turns 503 while the
// listener is still open, new sessions are refused with 503, the console
// is told to reconnect (message, then close code 4002), the process exits
// 0 within its grace, and the audit log has the shutdown.
func TestSIGTERMDrains(t *testing.T) {
	cams := startCameras(t, "cam0")
	data := filepath.Join(t.TempDir(), "data")
	p := startVigil(t, nil, "-config", cameraConfig(t, cams, "", "cam0"), "-data", data,
		"-http", "127.0.0.1:0", "-webrtc-udp", "127.0.0.1:0", "-webrtc-tcp", "127.0.0.1:0",
		"-grace", "20s", "-drain-delay", "3s")
	base := p.baseURL()
	if got := status(base + "/readyz"); got != http.StatusOK {
		t.Fatalf("/readyz before SIGTERM: %d", got)
	}
	token := loginAdmin(t, base)
	ws, _, err := dialConsole(base, token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if got := offerWHEP(t, base, token, "bjx-nsq-01"); got != http.StatusCreated {
		t.Fatalf("WHEP offer: %d", got)
	}
	closed := make(chan struct{})
	var reconnect map[string]any
	var closeErr *websocket.CloseError
	go func() { // ends when the gateway closes the console
		defer close(closed)
		reconnect, closeErr = readUntilClosed(ws)
	}()

	p.signal(syscall.SIGTERM)
	testwait.For(t, "/readyz to answer 503 (listener still open)", func() bool {
		return status(base+"/readyz") == http.StatusServiceUnavailable
	})
	if got := offerWHEP(t, base, token, "bjx-nsq-01"); got != http.StatusServiceUnavailable {
		t.Errorf("WHEP offer while draining: %d, want 503", got)
	}
	if _, resp, err := dialConsole(base, token); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("console WebSocket while draining: %v %v, want 503", err, resp)
	}
	<-closed
	if reconnect == nil || reconnect["reason"] != "draining" {
		t.Errorf("reconnect message %v, want reason draining", reconnect)
	}
	if closeErr == nil || closeErr.Code != signal.CloseReconnect {
		t.Errorf("close %v, want code %d", closeErr, signal.CloseReconnect)
	}
	if code := p.waitExit(); code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, p.output())
	}
	if _, ok := p.logged("stopped"); !ok {
		t.Errorf("no \"stopped\" log line: the stop did not end within the grace")
	}
	checkShutdownAudited(t, filepath.Join(data, "vigil.db"))
}

func checkShutdownAudited(t *testing.T, dbPath string) {
	t.Helper()
	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.ListAudit(context.Background(), store.AuditQuery{Action: audit.ActionShutdown})
	if err != nil {
		t.Fatal(err)
	}
	var phases []string
	for _, e := range entries {
		var d struct{ Phase string }
		json.Unmarshal(e.Detail, &d)
		phases = append(phases, d.Phase)
	}
	if strings.Join(phases, ",") != "stop,drain" {
		t.Fatalf("audit shutdown entries (newest first) %v, want stop,drain", phases)
	}
	if err := st.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
