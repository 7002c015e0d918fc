package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/sim"
)

func TestWHEPPlaysACamera(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))

	v := openWHEP(t, g.URL(), token, "bjx-nsq-01")
	countDecodable(t, v, 50)

	resp := do(t, http.MethodDelete, g.URL()+v.location, token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	c, _ := g.Catalog().Camera("bjx-nsq-01")
	testwait.For(t, "the WHEP reader released", func() bool { return c.MainHub.Stats().Readers == 0 })
	if resp := do(t, http.MethodDelete, g.URL()+v.location, token, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("second DELETE: %s, want 404", resp.Status)
	}
}

func TestUnauthenticatedRequestsAreRefused(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	g, _ := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/api/stations", ""},
		{"GET", "/api/cameras/bjx-nsq-01", ""},
		{"POST", "/api/whep/bjx-nsq-01", ""},
		{"DELETE", "/api/whep/bjx-nsq-01/x", ""},
		{"GET", "/api/session", ""},
		{"GET", "/api/stations", "not-a-token"},
		{"POST", "/api/whep/bjx-nsq-01", "not-a-token"},
	} {
		resp := do(t, tc.method, g.URL()+tc.path, tc.token, strings.NewReader("v=0"))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s token %q: %s, want 401", tc.method, tc.path, tc.token, resp.Status)
		}
	}
	if resp := do(t, "GET", g.URL()+"/healthz", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %s", resp.Status)
	}
}

// TestViewerResumesAfterCameraRestart: a camera reboots (down 10 s) while a
// viewer's session stays open. The camera starts its new session with a
// keyframe, so the viewer's first frame after it must be an IDR, within the
// acceptance bound of issue 16: 2 s from the camera listening again.
func TestViewerResumesAfterCameraRestart(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	v := openWHEP(t, g.URL(), token, "bjx-nsq-01")
	countDecodable(t, v, 10)

	cam.Stop()
	// The outage is the scenario, not a synchronisation: 10 s is long
	// enough for the source's reconnect backoff to pass its probe interval.
	outage := time.NewTimer(10 * time.Second)
	<-outage.C
	drain(v) // frames sent before the camera went down
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	listening := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	f, err := v.Next(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(listening)
	if !f.IsKey() {
		t.Fatalf("first frame after the restart has NAL types %v, want SPS, PPS and IDR", f.NALTypes())
	}
	const acceptance = 2 * time.Second // issue 16
	if took > acceptance {
		t.Fatalf("first IDR %v after the camera listened again, want at most %v", took, acceptance)
	}
	t.Logf("first IDR %v after the camera listened again", took)
}

func TestWHEPWhileCameraIsDown(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	cam.Stop()
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	v := openWHEP(t, g.URL(), token, "bjx-nsq-01")
	// The viewer waits on a camera the gateway has found down.
	testwait.For(t, "camera seen offline", func() bool { return cameraInfo(t, g.URL(), token, "bjx-nsq-01")["state"] == "offline" })
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	countDecodable(t, v, 25)
}

func TestSlowReaderDoesNotSlowAViewer(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))
	c, _ := g.Catalog().Camera("bjx-nsq-01")
	stalled := c.MainHub.NewReader() // never reads
	defer stalled.Close()

	v := openWHEP(t, g.URL(), token, "bjx-nsq-01")
	countDecodable(t, v, 1)
	// Every one of 8 s of frames arrives, none after a gap: a hub that
	// waited on the stalled reader would starve this viewer instead. How
	// fast is not asserted (a busy machine is slow without a fault).
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
		f, err := v.Next(ctx, 0)
		cancel()
		if err != nil || f.Gap {
			t.Fatalf("frame %d: err %v gap %v", i, err, f.Gap)
		}
	}
	if stalled.Skips() == 0 {
		t.Fatal("the stalled reader never skipped: its queue is unbounded")
	}
}

func TestCameraStatusReportsUnauthorized(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Username: "admin", Password: "camera-secret-9"})
	url := strings.Replace(cam.URL("cam0"), "rtsp://", "rtsp://admin:wrong-password@", 1)
	g, token := startGateway(t, oneCameraConfig(url))
	var c struct {
		State, Reason string
		LastError     string `json:"last_error"`
	}
	testwait.For(t, "camera offline/unauthorized", func() bool {
		resp := do(t, "GET", g.URL()+"/api/cameras/bjx-nsq-01", token, nil)
		c.State, c.Reason, c.LastError = "", "", ""
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			t.Fatal(err)
		}
		return c.State == "offline" && c.Reason == "unauthorized"
	})
	if c.LastError != "camera refused the credentials" {
		t.Fatalf("last_error %q", c.LastError)
	}
}

// drain discards the frames already received.
func drain(v *whepViewer) {
	for {
		select {
		case <-v.Frames():
		default:
			return
		}
	}
}
