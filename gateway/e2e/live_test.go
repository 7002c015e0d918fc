package e2e

import (
	"testing"
	"time"

	"vigil/gateway/browsertest"
)

// The first thing a dispatcher does: log in, click a camera of any station,
// and watch it live.
func TestClickACameraAndWatchIt(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed

	b.Navigate(g.URL() + "/")
	logIn(b, wait)
	b.WaitFor(allCamerasOnline, 60*time.Second)
	b.Click(`#grid-bar [data-grid="1"]`)
	b.Click(`#tree [data-camera="bjb-hall-01"]`)
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'bjb-hall-01' &&
		document.querySelector('#stage .tile[data-tile="0"]').dataset.state === 'playing'`, wait)
	p := b.AssertPlaying(`#stage .tile[data-tile="0"] video`, 1500*time.Millisecond, 10, wait)
	t.Logf("bjb-hall-01: %d frames decoded in %v", p.Frames(), p.Over.Round(time.Millisecond))
	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}

// allCamerasOnline is true once every camera of the demo (at least the 20
// of its five stations' 2x2 layouts) shows a live dot in the tree.
const allCamerasOnline = `(() => {
	const all = document.querySelectorAll('#tree .cam').length;
	return all >= 20 && document.querySelectorAll('#tree .cam .dot-online').length === all;
})()`
