package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/browsertest"
	"vigil/streams/sim"
)

// station300 writes the config of one station of n simulated cameras on
// areas of 50 (platforms, squares, …), not recorded, and returns its path.
func station300(t *testing.T, rtsp string, n int) (path string, ids []string) {
	areas := []string{"北广场", "南广场", "候车大厅", "站台", "进站口", "出站口"}
	var b strings.Builder
	b.WriteString("stations:\n  - id: big\n    name: 大站\n    name_en: Big Station\n    cameras:\n")
	for i := range n {
		id := fmt.Sprintf("big-%03d", i+1)
		ids = append(ids, id)
		fmt.Fprintf(&b, "      - {id: %s, name: %s %d, area: %s, url: \"rtsp://%s/c%03d\", record: false, audio: false}\n",
			id, areas[i/50%len(areas)], i%50+1, areas[i/50%len(areas)], rtsp, i+1)
	}
	path = filepath.Join(t.TempDir(), "station300.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

// startCamsim runs n simulated cameras c001…, sharing one small ffmpeg
// loop (one picture, 5 fps), so that 300 of them cost little.
func startCamsim(t *testing.T, n int) *sim.Server {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%03d", i+1)
	}
	srv, err := sim.NewServer(sim.ServerOptions{
		Listen: "127.0.0.1:0", Names: names, Width: 160, Height: 96, FPS: 5,
		Configure: func(_ string, o *sim.CameraOptions) {
			o.Encoder, o.Title, o.Index = sim.EncoderFFmpeg, "300", 0
		},
	})
	if err != nil {
		t.Skipf("camsim: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func startConfigGateway(t *testing.T, config string) *gateway.Gateway {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	g, err := gateway.New(ctx, gateway.Options{
		ConfigPath: config, HTTPAddr: "127.0.0.1:0", DataDir: t.TempDir(),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})),
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

// assignedTiles is the cameras of the visible tiles once the gateway has
// answered every assignment (its last tile message names the camera).
const assignedTiles = `(() => {
  const tiles = [...document.querySelectorAll('#stage .tile:not([hidden])')];
  const cams = tiles.map((e, i) => e.dataset.camera || '');
  const answered = cams.every((c, i) => !c || window.__browsertest.tiles[i]?.camera === c);
  return answered ? cams : null;
})()`

// TestConsolePages300: a station of 300 cameras (camsim) pages through all
// of them in a 5×5 grid, every tile assigned on every page; in 4×4 the
// grid change keeps the station's place and the last page is partial.
func TestConsolePages300(t *testing.T) {
	cams := startCamsim(t, 300)
	config, ids := station300(t, cams.Addr(), 300)
	g := startConfigGateway(t, config)
	b := browsertest.New(t)
	b.Viewport(1440, 900)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	b.Navigate(g.URL() + "/")
	logIn(b, wait)
	b.WaitFor(`document.querySelectorAll('#tree .area').length === 6`, wait)

	b.Click(`#station-bar [data-station="big"]`)
	b.Click(`#grid-bar [data-grid="5x5"]`)
	seen := map[string]bool{}
	page := func(n, pages int, want []string) {
		t.Helper()
		b.WaitFor(fmt.Sprintf(`document.querySelector('#page-text').textContent === '%d/%d'`, n, pages), wait)
		b.WaitFor(assignedTiles+` !== null && `+assignedTiles+`.join() === '`+strings.Join(want, ",")+`'`, wait)
		for _, id := range want {
			if id != "" {
				seen[id] = true
			}
		}
	}
	for p := range 12 {
		if p > 0 {
			b.Click("#page-next")
		}
		page(p+1, 12, ids[p*25:(p+1)*25])
	}
	if len(seen) != 300 {
		t.Fatalf("%d cameras shown over 12 pages, want 300", len(seen))
	}
	if !browsertest.MustEval[bool](b, `document.querySelector('#page-next').disabled`) {
		t.Error("next is enabled on the last page")
	}
	// 4×4 keeps the place: big-276, the first camera of the 5×5's last page, is on page 18 of 19.
	b.Click(`#grid-bar [data-grid="4x4"]`)
	page(18, 19, ids[272:288])
	b.Click("#page-next")
	page(19, 19, append(slices.Clone(ids[288:300]), "", "", "", ""))
	if got := browsertest.MustEval[string](b, `location.search`); got != "?station=big&grid=4x4&page=19" {
		t.Errorf("URL %q", got)
	}
	waitTiles(t, b, "#stage", 12, "big-", 2*time.Minute)
}
