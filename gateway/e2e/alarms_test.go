package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/browsertest"
	"vigil/streams/sim"
)

// alarmGateway pulls two simulated bjx cameras with short alarm
// thresholds (the frozen picture is an alarm after 2 s, looked at every
// second).
func alarmGateway(t *testing.T) (*gateway.Gateway, *sim.Server) {
	t.Helper()
	cams, err := sim.NewServer(sim.ServerOptions{Listen: "127.0.0.1:0", Names: []string{"cam0", "cam1"}, Width: 320, Height: 180, GOP: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cams.Close)
	cfg := "stations:\n  - id: bjx\n    name: 北京西站\n    name_en: Beijing West\n    cameras:\n"
	for i, id := range []string{"bjx-a-00", "bjx-a-01"} {
		cfg += fmt.Sprintf("      - {id: %s, name: 北广场 %d, url: %q, sub_url: %q, transport: tcp, record: false}\n",
			id, i+1, cams.URL(fmt.Sprintf("cam%d", i)), cams.SubURL(fmt.Sprintf("cam%d", i)))
	}
	cfg += "alarms:\n  thresholds: {frozen_image: 2s}\n  diagnosis_period: 1s\n  clear_after: 2s\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := gateway.New(context.Background(), gateway.Options{
		ConfigPath: path, HTTPAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"),
		WebRTCUDPAddr: "127.0.0.1:0", WebRTCTCPAddr: "127.0.0.1:0", AdminPassword: adminPassword,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, cams
}

// A frozen camera as the dispatcher meets it: the alarm in the panel,
// its station's badge counting it, one click puts it live on the
// selected tile, an acknowledgement with a note, and the
// station overview.
func TestConsoleAlarmPanel(t *testing.T) {
	g, cams := alarmGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = 30 * time.Second
	keep := os.Getenv("VIGIL_SCREENSHOTS") == "1"

	b.Navigate(g.URL() + "/?station=bjx&grid=2x2")
	logIn(b, wait)
	waitTiles(t, b, "#stage", 2, "bjx-", wait)
	b.WaitVisible("#alarms-btn", wait)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.health === 'ok'`, wait)

	if err := cams.SetFault("cam0", sim.FaultFreeze); err != nil {
		t.Fatal(err)
	}
	b.WaitFor(`(() => {
  const badge = document.querySelector('#tree li.station[data-station="bjx"] .alarm-badge');
  return badge && !badge.hidden && badge.textContent === '1' && document.querySelector('#alarms-btn').textContent.endsWith(' 1');
})()`, wait)
	b.Click(`#stage .tile[data-tile="3"]`)
	b.Click("#alarms-btn")
	b.WaitVisible(`#alarm-list li.alarm[data-camera="bjx-a-00"]`, wait)
	if got := b.Text(`#alarm-list li.alarm[data-camera="bjx-a-00"] .alarm-type`); got != "画面冻结" {
		t.Errorf("alarm type shown as %q, want 画面冻结", got)
	}
	shot(t, b, keep, "alarm-panel.png")

	// Tile 3 (selected before the panel opened) was empty: one click on
	// the alarm shows the camera there.
	b.Click(`#alarm-list li.alarm[data-camera="bjx-a-00"] .alarm-show`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="3"]').dataset.camera === 'bjx-a-00' &&
		document.querySelector('#stage .tile[data-tile="3"]').dataset.state === 'playing'`, wait)

	b.Fill(`#alarm-list li.alarm[data-camera="bjx-a-00"] .alarm-note`, "已通知维修 e2e")
	b.Click(`#alarm-list li.alarm[data-camera="bjx-a-00"] .alarm-ack button`)
	b.WaitFor(`(() => {
  const li = document.querySelector('#alarm-list li.alarm[data-camera="bjx-a-00"]');
  return li && li.classList.contains('alarm-acknowledged') && li.textContent.includes('admin') && li.textContent.includes('已通知维修 e2e');
})()`, wait)

	b.Click("#nav-overview")
	b.WaitFor(`(() => {
  const card = document.querySelector('#overview-view article[data-station="bjx"]');
  return card && card.querySelector('.overview-alarms').textContent === '1' &&
    card.querySelector('.overview-types li[data-type="frozen_image"]') !== null &&
    card.querySelector('.overview-worst li').dataset.camera === 'bjx-a-00' &&
    card.querySelector('.overview-online').textContent === '2/2';
})()`, wait)
	shot(t, b, keep, "overview.png")
	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}
