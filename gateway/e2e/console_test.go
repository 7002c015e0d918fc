// Package e2e runs the whole gateway in demo mode and drives the console in
// headless Chromium: login, the five stations, live video over WHEP.
package e2e

import (
	"bytes"
	"context"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/gateway"
	"vigil/gateway/browsertest"
)

const adminPassword = "e2e-Admin-Passw0rd"

func startGateway(t *testing.T) *gateway.Gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g, err := gateway.New(ctx, gateway.Options{
		HTTPAddr:      "127.0.0.1:0",
		DataDir:       t.TempDir(),
		WebRTCUDPAddr: "127.0.0.1:0",
		WebRTCTCPAddr: "127.0.0.1:0",
		AdminPassword: adminPassword,
		Logger:        slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("gateway.Close: %v", err)
		}
	})
	return g
}

// The page is expected to log exactly one kind of error: the 401 of
// GET /api/session when it asks, before login, whether a session exists.
func expectedError(m chromedp.ConsoleMessage) bool {
	return m.Source == "network" && strings.HasSuffix(m.URL, "/api/session") && strings.Contains(m.Text, "401")
}

func TestConsolePlaysBeijingSouthCamera(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 720)
	const wait = 15 * time.Second

	b.Navigate(g.URL() + "/")
	b.WaitVisible("#login-form", wait)
	b.Fill("#login-username", "admin")
	b.Fill("#login-password", adminPassword)
	b.Click("#login-submit")
	b.WaitVisible("#console-view", wait)

	b.WaitFor(`document.querySelectorAll('#tree .station').length === 5`, wait)
	names := browsertest.MustEval[[]string](b, `[...document.querySelectorAll('.station-name')].map(e => e.textContent)`)
	for _, want := range []string{"北京西站", "北京站", "北京南站", "北京北站", "清河站"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Errorf("station %s missing from the tree %v", want, names)
		}
	}

	// The demo cameras come up within seconds; pick the first of 北京南站.
	camSel := `[data-camera^="bjn-"]`
	b.WaitFor(`document.querySelector('[data-camera^="bjn-"] .dot-online') !== null`, 30*time.Second)
	camID := browsertest.MustEval[string](b, `document.querySelector('[data-camera^="bjn-"]').dataset.camera`)
	b.Click(camSel)

	p := b.AssertPlaying(".tile video", 1500*time.Millisecond, 10, 20*time.Second)
	t.Logf("%s: decoded %d frames in %v (%d → %d)", camID, p.Frames(), p.Over.Round(time.Millisecond), p.Before, p.After)

	b.WaitFor(`document.querySelector('.tile').dataset.status === 'playing'`, wait)
	if got := b.Text(".tile-station"); !strings.Contains(got, "北京南站") || !strings.Contains(got, camID) {
		t.Errorf("tile overlay %q, want the station and %s", got, camID)
	}
	if got := b.Text(".tile .chip"); got != "在线" {
		t.Errorf("tile state %q, want 在线", got)
	}
	b.Hover(".tile")
	b.WaitFor(`document.querySelector('.tile-stats').textContent.includes('×')`, wait)
	t.Logf("stats on hover: %s", b.Text(".tile-stats"))

	shot := filepath.Join(t.TempDir(), "console-single.png")
	b.Screenshot(shot)
	if os.Getenv("VIGIL_SCREENSHOTS") == "1" {
		keepScreenshot(t, shot, filepath.Join("..", "..", "docs", "console-single.png"))
	}

	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}

	// Stop ends the WHEP session and leaves no peer connection behind.
	b.Click(".tile-stop")
	b.WaitFor(`window.__vigil.peers.length === 0 && document.querySelector('.tile').dataset.status === 'idle'`, wait)
}

// keepScreenshot re-encodes the PNG with the best compression into dst.
func keepScreenshot(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot kept in %s (%d KB)", dst, out.Len()/1024)
}
