package e2e

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/gateway/browsertest"
	"vigil/gateway/config"
	"vigil/internal/testwait"
)

// report is the last "tile" message of tile i the page received.
func report(b *browsertest.Browser, i int) map[string]any {
	return browsertest.MustEval[map[string]any](b, fmt.Sprintf(`window.__browsertest.tiles[%d] || {}`, i))
}

// reportTime is the time a tile report carries (zero when none).
func reportTime(m map[string]any) time.Time {
	s, _ := m["time"].(string)
	tm, _ := time.Parse(time.RFC3339Nano, s)
	return tm
}

// shownClock is the time the timeline's clock shows.
func shownClock(b *browsertest.Browser) time.Time {
	ms := browsertest.MustEval[float64](b, `Number(document.querySelector('#tl-clock').dataset.time || 'NaN')`)
	if math.IsNaN(ms) {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

// clickTime clicks the timeline's bar where it shows at and returns the
// time of the pixel clicked.
func clickTime(t *testing.T, b *browsertest.Browser, at time.Time) time.Time {
	t.Helper()
	p := browsertest.MustEval[[4]float64](b, `(() => {
  const e = document.querySelector('#tl-bar'); const r = e.getBoundingClientRect();
  return [r.left, r.width, Number(e.dataset.from), Number(e.dataset.to)];
})()`)
	left, width, from, to := p[0], p[1], p[2], p[3]
	f := (float64(at.UnixMilli()) - from) / (to - from)
	if f < 0 || f > 1 {
		t.Fatalf("%v is not on the timeline (%v – %v)", at, time.UnixMilli(int64(from)), time.UnixMilli(int64(to)))
	}
	x := math.Round(left + f*width)
	y := browsertest.MustEval[float64](b, `(() => { const r = document.querySelector('#tl-bar').getBoundingClientRect(); return r.top + r.height / 2; })()`)
	if err := b.Run(browsertest.DefaultTimeout, chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	return time.UnixMilli(int64(from + (x-left)/width*(to-from)))
}

// waitFrames waits until tile i's video has decoded n frames more.
func waitFrames(t *testing.T, b *browsertest.Browser, i, n int) {
	t.Helper()
	sel := fmt.Sprintf(`#stage .tile[data-tile="%d"] video`, i)
	before, err := b.FramesDecoded(sel)
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, fmt.Sprintf("tile %d to decode %d frames more than %d", i, n, before), func() bool {
		now, err := b.FramesDecoded(sel)
		return err == nil && now >= before+n
	})
}

// The playback timeline end to end on the demo with three minutes of
// recordings written as a fixture: play from the middle of them on a tile,
// 4×, pause, live again on the same peer connection; link the 2×2 and
// pause it (every tile at one moment); mark in/out and export; a locked
// bookmark on the timeline.
func TestConsoleTimeline(t *testing.T) {
	if !browsertest.Available() {
		t.Skip("no Chromium")
	}
	dataDir := t.TempDir()
	cams := config.Demo().Stations[0].Layout.Cameras[:4]
	past := time.Now().Add(-3 * time.Minute).Truncate(time.Second)
	for _, c := range cams {
		writePastRecording(t, dataDir, c, past, 120)
	}
	g := startGatewayIn(t, filepath.Join(dataDir))
	b := browsertest.New(t)
	b.Viewport(1280, 900)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	b.Navigate(g.URL() + "/?station=bjx&grid=2x2")
	logIn(b, wait)
	waitTiles(t, b, "#stage", 4, "bjx-", wait)
	b.WaitFor(`document.querySelector('#tl-bar .tl-span') !== null`, wait)

	// Play from the middle of the recordings on tile 1. Times are taken
	// from the fixture, not from now: beside two busy loops the gateway and
	// the page took over a minute to come up, and "two minutes ago" was
	// then past the recordings' end (the tile never left live).
	clicked := time.Now()
	chosen := clickTime(t, b, past.Add(60*time.Second))
	b.WaitFor(`window.__browsertest.tiles[0]?.mode === 'playback' && window.__browsertest.tiles[0]?.time !== undefined`, wait)
	// The first picture played is within 1 s of the chosen time. The first
	// report of the tile's time comes a moment later, when the playback
	// clock has moved on by as long as this machine took (over 2 s beside
	// two busy loops): the report may be later than the chosen time by
	// that much, never earlier by more than the second a keyframe allows.
	first, err := time.Parse(time.RFC3339Nano, browsertest.MustEval[string](b, `window.__browsertest.playedFrom[0]`))
	took := time.UnixMilli(browsertest.MustEval[int64](b, `window.__browsertest.playedFromAt[0]`)).Sub(clicked)
	if err != nil || first.Before(chosen.Add(-time.Second)) || first.After(chosen.Add(took+time.Second)) {
		t.Errorf("the first picture played is from %v (%v), %v from the chosen %v, reported %v after the click",
			first, err, first.Sub(chosen), chosen, took)
	}
	t.Logf("chosen %v, first picture %v, clock now %v", chosen, first, shownClock(b))
	waitFrames(t, b, 0, 10)

	b.Key("]]") // 1× → 2× → 4×
	b.WaitFor(`window.__browsertest.tiles[0]?.speed === 4`, wait)
	b.Key(" ")
	b.WaitFor(`window.__browsertest.tiles[0]?.paused === true`, wait)
	b.Click("#tl-live")
	b.WaitFor(`window.__browsertest.tiles[0]?.mode === 'live'`, wait)
	waitFrames(t, b, 0, 10)
	if n := browsertest.MustEval[int](b, `window.__browsertest.constructed`); n != 1 {
		t.Errorf("%d peer connections made, want the one", n)
	}

	// Link the 2×2: one click plays every tile; a pause stops them together.
	b.Click("#tl-link")
	clickTime(t, b, past.Add(30*time.Second))
	b.WaitFor(`[0, 1, 2, 3].every((i) => window.__browsertest.tiles[i]?.mode === 'playback' && !window.__browsertest.tiles[i]?.paused)`, wait)
	b.Key(" ")
	b.WaitFor(`(() => {
  const r = [0, 1, 2, 3].map((i) => window.__browsertest.tiles[i]);
  if (!r.every((m) => m?.paused && m.time)) return false;
  const ts = r.map((m) => Date.parse(m.time));
  return Math.max(...ts) - Math.min(...ts) <= 40;
})()`, wait)
	var times []time.Time
	for i := range 4 {
		times = append(times, reportTime(report(b, i)))
	}
	t.Logf("linked tiles paused at %v", times)

	// Mark in, 10 s on, mark out: the export dialog opens with that range.
	markIn := shownClock(b)
	b.Click("#tl-in")
	b.Click("#tl-fwd10")
	b.WaitFor(fmt.Sprintf(`Date.parse(window.__browsertest.tiles[0]?.time) > %d`, markIn.Add(9*time.Second).UnixMilli()), wait)
	if report(b, 0)["paused"] != true { // a seek of a paused tile may stay paused
		b.Exec(`document.querySelector('#tl-bar').focus()`)
		b.Key(" ")
	}
	b.WaitFor(`window.__browsertest.tiles[0]?.paused === true`, wait)
	markOut := shownClock(b)
	b.Click("#tl-out")
	b.WaitVisible("#export-dialog", wait)
	got := browsertest.MustEval[[2]float64](b, `[new Date(document.querySelector('#export-from').value).getTime(), new Date(document.querySelector('#export-to').value).getTime()]`)
	// The dialog holds whole seconds (from rounded down, to rounded up), and
	// the clock read here may trail the tile's last report by a frame: 2 s.
	if d := time.UnixMilli(int64(got[0])).Sub(markIn).Abs(); d > 2*time.Second {
		t.Errorf("export from %v, marked in at %v", time.UnixMilli(int64(got[0])), markIn)
	}
	if d := time.UnixMilli(int64(got[1])).Sub(markOut).Abs(); d > 2*time.Second {
		t.Errorf("export to %v, marked out at %v", time.UnixMilli(int64(got[1])), markOut)
	}
	b.Fill("#export-reason", "e2e 回放导出")
	b.Click("#export-submit")
	b.WaitFor(`document.querySelector('#export-progress')?.dataset.status === 'done'`, wait)
	b.Exec(`document.querySelector('#export-dialog').close()`)

	// A locked bookmark over the marked range shows on the timeline.
	b.Click("#tl-bookmark")
	b.WaitVisible("#bookmark-dialog", wait)
	b.Fill("#bookmark-title", "站台争执")
	b.Click("#bookmark-lock")
	b.Click("#bookmark-submit")
	b.WaitFor(`document.querySelector('#tl-bar .tl-bookmark.locked') !== null && document.querySelector('#tl-locked').textContent !== ''`, wait)
	b.Screenshot(filepath.Join(t.ArtifactDir(), "timeline.png"))
	for _, e := range b.Errors(expectedError) {
		t.Errorf("page error: %s (%s)", e, e.URL)
	}
}
