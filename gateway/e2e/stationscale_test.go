package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/gateway/browsertest"
)

// visibleTreeCameras lists the cameras the tree shows (favourites aside).
const visibleTreeCameras = `[...document.querySelectorAll('#tree .station .cam')].filter((e) => e.offsetParent).map((e) => e.dataset.camera)`

// TestConsoleStationScale: the demo console found by pinyin, paged, and
// undone. 站台 is found by "zt" and by "zhantai"; 北京西站's fifth camera
// shows on its second page; a grid change keeps the station and fills the
// new tiles; a cleared grid comes back with Ctrl+Z.
func TestConsoleStationScale(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	b.Navigate(g.URL() + "/")
	logIn(b, wait)
	b.WaitFor(`document.querySelectorAll('#tree .station').length === 5`, wait)

	platforms := []string{"bj-plt-02", "bjb-plt-03", "bjn-plt-05", "bjn-plt-12", "bjx-plt-01"}
	for _, q := range []string{"zt", "zhantai", "zhan tai", "站台"} {
		b.Fill("#search", q)
		b.WaitFor(fmt.Sprintf(`%s.length === %d`, visibleTreeCameras, len(platforms)), wait)
		got := browsertest.MustEval[[]string](b, visibleTreeCameras)
		slices.Sort(got)
		if !slices.Equal(got, platforms) {
			t.Errorf("search %q shows %v, want the platforms %v", q, got, platforms)
		}
	}
	b.Fill("#search", "")
	b.Exec(`document.activeElement.blur()`)

	// 北京西站: five cameras, a 2x2 default; page 2 shows the fifth.
	b.Click(`#station-bar [data-station="bjx"]`)
	b.WaitFor(`document.querySelector('#page-text')?.textContent === '1/2' && !document.querySelector('#pager').hidden`, wait)
	b.Click("#page-next")
	b.WaitFor(`document.querySelector('#stage .tile[data-tile="0"]').dataset.camera === 'bjx-ent-05'`, wait)
	if got := browsertest.MustEval[string](b, `location.search`); got != "?station=bjx&grid=2x2&page=2" {
		t.Errorf("URL %q, want the station's second page", got)
	}
	if !browsertest.MustEval[bool](b, `document.querySelector('#station-bar [data-station="bjx"]').classList.contains('active')`) {
		t.Error("the station button is not highlighted on the station's second page")
	}
	// 3x3: the station's five cameras fill five tiles (before: four, and the rest empty).
	b.Click(`#grid-bar [data-grid="3x3"]`)
	b.WaitFor(`document.querySelectorAll('#stage .tile:not([hidden])').length === 9`, wait)
	want := []string{"bjx-nsq-01", "bjx-ssq-01", "bjx-hall-01", "bjx-plt-01", "bjx-ent-05", "", "", "", ""}
	if got := tileCameras(b, "#stage"); !slices.Equal(got, want) {
		t.Errorf("3x3 after the station: %v, want %v", got, want)
	}
	if !browsertest.MustEval[bool](b, `document.querySelector('#grid-bar [data-grid="3x3"]').classList.contains('active') &&
		document.querySelector('#station-bar [data-station="bjx"]').classList.contains('active')`) {
		t.Error("the grid and station buttons do not highlight what is shown")
	}

	// 清空, then Ctrl+Z.
	b.Click("#clear-all")
	b.WaitFor(`[...document.querySelectorAll('#stage .tile:not([hidden])')].every((e) => !e.dataset.camera)`, wait)
	b.Exec(`document.activeElement.blur()`)
	if err := b.Run(wait, chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatal(err)
	}
	b.WaitFor(`document.querySelectorAll('#stage .tile[data-camera^="bjx-"]').length === 5`, wait)
	if got := tileCameras(b, "#stage"); !slices.Equal(got, want) {
		t.Errorf("after undo: %v, want %v", got, want)
	}
	waitTiles(t, b, "#stage", 5, "bjx-", 60*time.Second)
	favouritesAndLinks(t, b, wait)
}

// favouritesAndLinks: a starred camera is listed first in the tree and
// stays after a reload; a layout's link is copied (and told in a toast).
func favouritesAndLinks(t *testing.T, b *browsertest.Browser, wait time.Duration) {
	b.Exec(`document.querySelector('#tree .station [data-star="bjn-plt-12"]').click()`)
	b.WaitFor(`[...document.querySelectorAll('#tree .favourites .cam')].map((e) => e.dataset.camera).join() === 'bjn-plt-12'`, wait)
	b.Reload()
	b.WaitFor(`[...document.querySelectorAll('#tree .favourites .cam')].map((e) => e.dataset.camera).join() === 'bjn-plt-12' &&
		!document.querySelector('#tree .favourites').hidden`, wait)
	b.Click(`#tree .favourites [data-camera="bjn-plt-12"]`)
	b.WaitFor(`[...document.querySelectorAll('#stage .tile')].some((e) => e.dataset.camera === 'bjn-plt-12')`, wait)

	b.Click("#layouts-btn")
	b.WaitVisible("#layout-name", wait)
	b.Fill("#layout-name", "e2e 收藏")
	b.Click("#layout-save")
	b.WaitFor(`location.search.startsWith('?layout=')`, wait)
	b.Click("#layouts-btn")
	b.WaitVisible(`.layout-row .layout-link`, wait)
	b.Click(`.layout-row .layout-link`)
	b.WaitFor(`[...document.querySelectorAll('.toast')].some((e) => e.textContent.endsWith(location.href))`, wait)
}

// tourWatch records, for every step of a tour on tile 0, when the step
// arrived, when the tile's video presented its first frame after the
// gateway reported the new camera playing, and framesDecoded of the tile at
// both times.
const tourWatch = `(() => {
  const v = document.querySelector('#stage .tile[data-tile="0"] video');
  const steps = [];
  Object.defineProperty(window, '__tourSteps', { value: steps });
  const frames = async () => {
    const id = v.srcObject?.getVideoTracks()[0]?.id;
    let n = 0;
    for (const pc of window.__browsertest.peers) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier === id) n += s.framesDecoded || 0;
      }
    }
    return n;
  };
  let seen = 0;
  const onFrame = async () => {
    const tours = window.__browsertest.tours;
    for (; seen < tours.length; seen++) {
      const m = tours[seen];
      if (m.tile === 0 && m.cameras) {
        const step = { camera: m.cameras[0], at: m.at, framesAtStep: await frames() };
        steps.push(step);
      }
    }
    const cur = steps[steps.length - 1];
    const tm = window.__browsertest.tiles[0];
    if (cur && !cur.decodedAt && tm?.camera === cur.camera && tm.state === 'playing') {
      cur.decodedAt = performance.now();
      cur.framesAtDecoded = await frames();
    }
    v.requestVideoFrameCallback(onFrame);
  };
  v.requestVideoFrameCallback(onFrame);
})()`

// TestConsoleTourOnTile: a tour of five cameras with a 5 s dwell on tile 0.
// Each step's camera decodes on the tile (framesDecoded grows after the
// step); the time from the step to its first frame is reported. The dwell
// is what a step's camera has to show before the next replaces it: on a
// quiet machine that takes tens of ms, beside two busy loops the switch
// and Chromium's software decoder took over 2 s for one step, which then
// never decoded.
func TestConsoleTourOnTile(t *testing.T) {
	g := startGateway(t)
	b := browsertest.New(t)
	b.Viewport(1280, 800)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	b.Navigate(g.URL() + "/")
	logIn(b, wait)
	b.WaitFor(allCamerasOnline, 60*time.Second)
	b.Click(`#station-bar [data-station="bjx"]`)
	waitTiles(t, b, "#stage", 4, "bjx-", wait)

	cams := []string{"bj-sq-01", "bjn-nsq-01", "bjb-ent-01", "qh-esq-01", "bjx-plt-01"}
	body, _ := json.Marshal(map[string]any{"name": "e2e 轮巡", "dwell_s": 5, "cameras": cams})
	b.Exec(fmt.Sprintf(`fetch('/api/tours', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: %q})
		.then((r) => { document.body.dataset.tourMade = r.status; })`, body))
	b.WaitFor(`document.body.dataset.tourMade === '201'`, wait)
	b.Exec(tourWatch)
	b.Click("#tours-btn")
	b.WaitVisible(`.tour-row .tour-run[data-where="tile"]`, wait)
	b.Click(`.tour-row .tour-run[data-where="tile"]`)

	// Five steps and the first again; each with its decoding proven.
	b.WaitFor(`window.__tourSteps.length >= 7 && window.__tourSteps.slice(0, 6).every((s) => s.decodedAt)`, 2*wait)
	type step struct {
		Camera                                       string
		At, DecodedAt, FramesAtStep, FramesAtDecoded float64
	}
	steps := browsertest.MustEval[[]step](b, `window.__tourSteps.map((s) => ({Camera: s.camera, At: s.at, DecodedAt: s.decodedAt || 0,
		FramesAtStep: s.framesAtStep, FramesAtDecoded: s.framesAtDecoded || 0}))`)
	var took []string
	for i := range 6 {
		s, next := steps[i], steps[i+1]
		if s.Camera != cams[i%5] {
			t.Errorf("step %d shows %s, want %s", i, s.Camera, cams[i%5])
		}
		if next.FramesAtStep <= s.FramesAtDecoded {
			t.Errorf("step %d (%s): framesDecoded %v at its first frame, %v at the next step: no new frames decoded",
				i, s.Camera, s.FramesAtDecoded, next.FramesAtStep)
		}
		took = append(took, fmt.Sprintf("%s %.0f ms", s.Camera, s.DecodedAt-s.At))
	}
	t.Logf("tour steps, from the step to the new camera's first frame on the tile: %s", strings.Join(took, ", "))

	// The pointer on the tile pauses the tour; off it, the tour goes on.
	b.Hover(`#stage .tile[data-tile="0"]`)
	b.WaitFor(`window.__browsertest.tours.some((m) => m.tile === 0 && m.state === 'paused') &&
		document.querySelector('#stage .tile[data-tile="0"]').dataset.tour === 'paused'`, wait)
	paused := browsertest.MustEval[int](b, `window.__tourSteps.length`)
	b.Hover(`#station-bar [data-station="bj"]`)
	b.WaitFor(fmt.Sprintf(`window.__tourSteps.length > %d && document.querySelector('#stage .tile[data-tile="0"]').dataset.tour === 'running'`, paused), wait)
	wallRunsTour(t, b, wait)
}

// wallRunsTour: the operator puts the tour on the video wall "main"; with
// no kiosk open, the wall's state steps through the tour's cameras.
func wallRunsTour(t *testing.T, b *browsertest.Browser, wait time.Duration) {
	b.Click("#tours-btn")
	b.WaitVisible(`.tour-row .tour-run[data-where="wall"]`, wait)
	b.Click(`.tour-row .tour-run[data-where="wall"]`)
	b.Exec(`(async () => {
  const seen = new Set();
  while (seen.size < 3) {
    const walls = (await (await fetch('/api/walls')).json()).walls;
    const w = walls.find((x) => x.id === 'main');
    if (w.layout.tour) seen.add(w.layout.cameras.join());
    await new Promise((r) => setTimeout(r, 100));
  }
  document.body.dataset.wallSteps = [...seen].join(' ');
})()`)
	b.WaitFor(`Boolean(document.body.dataset.wallSteps)`, 60*time.Second)
	t.Logf("the wall showed %s", browsertest.MustEval[string](b, `document.body.dataset.wallSteps`))
}
