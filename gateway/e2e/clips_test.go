package e2e

import (
	"os"
	"testing"

	"vigil/gateway/browsertest"
)

// An incident exported from a tile of the demo console: the dialog's
// default range (the last five minutes, mostly before the demo started, so
// partly recorded), a reason, progress and "done" over the console
// WebSocket, the MP4 downloaded by the page, and the Clips page listing it.
func TestConsoleExportsIncident(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	keep := os.Getenv("VIGIL_SCREENSHOTS") == "1"

	b.Navigate(g.URL() + "/?station=bjx&grid=2x2")
	logIn(b, wait)
	waitTiles(t, b, "#stage", 4, "bjx-", wait)
	// A few seconds recorded: the camera's recorded spans say so.
	b.WaitFor(`fetch('/api/recordings/' + document.querySelector('#stage .tile[data-tile="0"]').dataset.camera)
		.then((r) => r.json()).then((j) => (j.spans || []).some((s) => new Date(s.to) - new Date(s.from) >= 2000))`, wait)

	b.Hover(`#stage .tile[data-tile="0"]`)
	b.Click(`#stage .tile[data-tile="0"] .tile-export`)
	b.WaitVisible("#export-dialog", wait)
	span := browsertest.MustEval[float64](b, `(new Date(document.querySelector('#export-to').value) - new Date(document.querySelector('#export-from').value)) / 1000`)
	if span != 300 {
		t.Errorf("default range %v s, want the last 5 minutes", span)
	}
	b.Click("#export-submit")
	b.WaitFor(`document.querySelector('#export-error').textContent !== ''`, wait) // the reason is required
	b.Fill("#export-reason", "e2e 站台纠纷 case 1")
	b.Click("#export-submit")
	b.WaitFor(`document.querySelector('#export-progress')?.dataset.status === 'done' && document.querySelector('#export-download')`, wait)
	msgs := browsertest.MustEval[[]map[string]any](b, `window.__browsertest.clipMessages`)
	if len(msgs) == 0 || msgs[len(msgs)-1]["status"] != "done" {
		t.Errorf("clip messages over the WebSocket: %v, want progress ending in done", msgs)
	}
	t.Logf("clip messages: %d, dialog says %q", len(msgs), b.Text("#export-status"))
	shot(t, b, keep, "clip-export.png")

	got := browsertest.MustEval[[]any](b, `fetch(document.querySelector('#export-download').href).then(async (r) => {
  const buf = new Uint8Array(await r.arrayBuffer());
  return [r.status, buf.length, String.fromCharCode(...buf.slice(4, 8)), r.headers.get('Content-Disposition') || ''];
})`)
	if got[0].(float64) != 200 || got[1].(float64) <= 0 || got[2] != "ftyp" {
		t.Fatalf("download: %v", got)
	}
	t.Logf("downloaded %v bytes, %v", got[1], got[3])

	b.Exec(`document.querySelector('#export-dialog').close()`)
	b.Click("#nav-clips")
	b.WaitFor(`document.querySelector('#clips-table tr[data-status="done"] a[data-role="download"]') !== null`, wait)
	shot(t, b, keep, "clips.png")
	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}
