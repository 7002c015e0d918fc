package webui_test

import (
	"fmt"
	"testing"
	"time"

	"vigil/internal/testwait"
)

// askedSpeeds lists the speeds of the "play" messages the console sent.
func askedSpeeds(api *fakeAPI) []float64 {
	var out []float64
	for _, m := range api.messages("play") {
		if s, ok := m["speed"].(float64); ok {
			out = append(out, s)
		}
	}
	return out
}

func waitAskedSpeed(t *testing.T, api *fakeAPI, want float64) {
	t.Helper()
	testwait.For(t, fmt.Sprintf("a play message asking for %v×", want), func() bool {
		s := askedSpeeds(api)
		return len(s) > 0 && s[len(s)-1] == want
	})
}

// A speed the console asked for holds against the gateway's report that
// crossed the request on the wire: "]" twice goes 1× → 2× → 4× even when
// a report of the old 1× arrives between the two keys (it used to reset
// the speed, and the second key asked for 2× again).
func TestTimelineSpeedHoldsAgainstAReportInFlight(t *testing.T) {
	b, api, base := startConsole(t)
	b.Navigate(base + "/?cameras=bjx-ssq-02&grid=1x1")
	b.WaitVisible("#login-form", wait)
	login(b, "admin", "s3cret-pass")
	// The tile shows before the console's link is up; a report broadcast
	// before the answer to its assign would reach no console, or be
	// overwritten by that answer (beside busy loops it was, once).
	b.WaitFor(`window.__browsertest.tiles[0]?.camera === 'bjx-ssq-02'`, wait)

	// Each report carries a time of its own, so the page is seen to have it.
	// It says "waiting", as the gateway's do before a picture: the fake
	// sends none, and a "playing" tile without pictures trips the console's
	// stall watchdog after 5 s, whose re-assign puts the tile back to live.
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	playback := func(speed float64) {
		at = at.Add(time.Second)
		m := fakeTile(0, "bjx-ssq-02")
		m["mode"], m["speed"], m["time"], m["state"] = "playback", speed, at.UTC().Format(time.RFC3339Nano), "waiting"
		api.broadcast(m)
		b.WaitFor(fmt.Sprintf(`Date.parse(window.__browsertest.tiles[0]?.time) === %d`, at.UnixMilli()), wait)
	}
	playback(1)

	b.Key("]")
	waitAskedSpeed(t, api, 2)
	playback(1) // the once-a-second report, sent before the gateway read the request
	b.Key("]")
	waitAskedSpeed(t, api, 4)
	playback(4)
	b.WaitFor(`document.querySelector('#tl-speed').value === '4'`, wait)

	// A speed the gateway sets itself, with nothing asked, is shown.
	playback(8)
	b.WaitFor(`document.querySelector('#tl-speed').value === '8'`, wait)
	if got := askedSpeeds(api); fmt.Sprint(got) != "[2 4]" {
		t.Errorf("speeds asked %v, want [2 4]", got)
	}
	checkErrors(t, b)
}
