package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

const adminPassword = "test-admin-password-1"

// startGateway runs a gateway on loopback with the given config (empty:
// demo mode) and returns it with an admin bearer token.
func startGateway(t *testing.T, configYAML string) (*gateway.Gateway, string) {
	t.Helper()
	dir := t.TempDir()
	opts := gateway.Options{
		HTTPAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0",
		AdminPassword: adminPassword,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if configYAML != "" {
		opts.ConfigPath = filepath.Join(dir, "vigil.yaml")
		if err := os.WriteFile(opts.ConfigPath, []byte(configYAML), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	g, err := gateway.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, login(t, g.URL(), "admin", adminPassword)
}

func login(t *testing.T, base, user, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	resp, err := http.Post(base+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("login: %s %s", resp.Status, b)
	}
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login answer: %v %+v", err, out)
	}
	return out.Token
}

// oneCameraConfig is a config with one camera pulled from a simulated
// camera server.
func oneCameraConfig(url string) string {
	return `stations:
  - id: bjx
    name: 北京西站
    name_en: Beijing West
    cameras:
      - id: bjx-nsq-01
        name: 北广场 1
        url: ` + url + `
        transport: tcp
        record: false
`
}

func startCamera(t *testing.T, opts sim.ServerOptions) *sim.Server {
	t.Helper()
	opts.Listen = "127.0.0.1:0"
	if len(opts.Names) == 0 {
		opts.Names = []string{"cam0"}
	}
	srv, err := sim.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// whepViewer is a pion WHEP client of the gateway.
type whepViewer struct {
	*webrtctest.Receiver
	location string
}

func openWHEP(t *testing.T, base, token, camera string) *whepViewer {
	t.Helper()
	return openWHEPWith(t, base, token, camera, webrtctest.Options{Videos: 1})
}

// openWHEPWith is openWHEP with a receiver that offers what o says.
func openWHEPWith(t *testing.T, base, token, camera string, o webrtctest.Options) *whepViewer {
	t.Helper()
	rx, offer, err := webrtctest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/whep/"+camera, strings.NewReader(offer))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHEP offer: %s %s", resp.Status, answer)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/sdp" {
		t.Fatalf("answer content type %q", ct)
	}
	loc := resp.Header.Get("Location")
	camera, _, _ = strings.Cut(camera, "?") // a playback query
	if !strings.HasPrefix(loc, "/api/whep/"+camera+"/") {
		t.Fatalf("Location %q", loc)
	}
	if err := rx.Accept(string(answer)); err != nil {
		t.Fatal(err)
	}
	return &whepViewer{Receiver: rx, location: loc}
}

// countDecodable reads n frames: the first must be a keyframe with SPS and
// PPS, and no frame may follow a gap. It waits up to testwait's cap.
func countDecodable(t *testing.T, v *whepViewer, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	countDecodableFrom(t, v, n, ctx)
}

// countDecodableFrom is countDecodable until ctx ends.
func countDecodableFrom(t *testing.T, v *whepViewer, n int, ctx context.Context) {
	t.Helper()
	for i := 0; i < n; i++ {
		f, err := v.Next(ctx, 0)
		if err != nil {
			t.Fatalf("after %d frames: %v", i, err)
		}
		if i == 0 && !f.IsKey() {
			t.Fatalf("first frame NAL types %v, want SPS, PPS and IDR", f.NALTypes())
		}
		if f.Gap {
			t.Fatalf("frame %d follows lost packets", i)
		}
	}
}

func do(t *testing.T, method, url, token string, body io.Reader) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
