package clustere2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"vigil/gateway/browsertest"
	"vigil/internal/testwait"
)

// wallCameras is what the wall push shows: a camera of each station, the
// 北京西站 one first.
var wallCameras = []string{bjxCameras[0], bjnCameras[0]}

// wallPage is the center's /wall/main in headless Chromium: one peer
// connection carries every tile.
type wallPage struct {
	b *browsertest.Browser
}

// openWallPage logs in to the center's wall page; without Chromium
// outside CI it returns nil and the browser checks are left out.
func openWallPage(t *testing.T, base string) *wallPage {
	if !browsertest.Available() && os.Getenv("CI") != "true" {
		t.Logf("no Chromium: the wall page checks are left out")
		return nil
	}
	b := browsertest.New(t)
	b.Viewport(960, 540)
	b.Navigate(base + "/wall/main")
	b.WaitVisible("#login-form", time.Minute)
	b.Fill("#login-username", "admin")
	b.Fill("#login-password", adminPassword)
	b.Click("#login-submit")
	b.WaitVisible("#wall-stage .grid", time.Minute)
	b.WaitFor(`window.__browsertest.peers.length === 1`, time.Minute)
	// Marks the peer connection: resuming must not make another.
	b.Exec(`window.__browsertest.peers[0].__e2e = 'first'`)
	return &wallPage{b: b}
}

// shows reports whether the page's tiles show cams in order.
func (w *wallPage) shows(cams []string) bool {
	for i, cam := range cams {
		js := fmt.Sprintf(`(document.querySelector('#wall-stage .tile[data-tile="%d"]')||{dataset:{}}).dataset.camera === %q`, i, cam)
		if ok, err := browsertest.Eval[bool](w.b, js); err != nil || !ok {
			return false
		}
	}
	return true
}

// decoding waits until every tile of cams decodes n more frames on the
// same peer connection, and returns how long that took.
func (w *wallPage) decoding(t *testing.T, n int, what string) time.Duration {
	t.Helper()
	start := time.Now()
	for i := range wallCameras {
		sel := fmt.Sprintf(`#wall-stage .tile[data-tile="%d"] video`, i)
		before, _ := w.b.FramesDecoded(sel)
		testwait.For(t, fmt.Sprintf("%s: tile %d to decode %d more frames", what, i, n), func() bool {
			now, err := w.b.FramesDecoded(sel)
			return err == nil && now >= max(before, 0)+n
		})
	}
	same, err := browsertest.Eval[bool](w.b, `window.__browsertest.peers.length === 1 && window.__browsertest.peers[0].__e2e === 'first'`)
	if err != nil || !same {
		t.Fatalf("%s: the wall page made another peer connection (%v)", what, err)
	}
	return time.Since(start)
}
