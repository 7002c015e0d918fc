package webui_test

import (
	"fmt"
	"testing"

	"vigil/gateway/browsertest"
)

// The timeline's arithmetic (timescale.js), run in the page.
func TestTimelineScale(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/")
	b.WaitVisible("#login-form", wait)
	const m = `import('/assets/timescale.js').then((m) => `
	cases := map[string]string{
		m + `[m.stepSpeed(1, 1), m.stepSpeed(16, 1), m.stepSpeed(0.125, -1), m.stepSpeed(4, -1), m.stepSpeed(3, 1)])`: "[2 16 0.125 2 2]",
		m + `m.zooms.map(m.zoomText))`: "[1 min 5 min 15 min 1 h 6 h 1 d 7 d]",
		m + `[m.stepZoom(60000, -1), m.stepZoom(604800000, 1), m.stepZoom(60000, 1)])`: "[60000 6.048e+08 300000]",
		m + `m.speeds.map(m.speedText))`:                                               "[1/8× 1/4× 1/2× 1× 2× 4× 8× 16×]",
		// The window puts the time three quarters along, never far past now.
		m + `[m.windowAround(1000000, 400000, 9e12), m.windowAround(1000000, 400000, 1000000)].map((w) => [w.from, w.to]))`: "[[700000 1.1e+06] [640000 1.04e+06]]",
		m + `[m.toFraction({from: 0, to: 200}, 50), m.fromFraction({from: 100, to: 300}, 0.25), m.clamp(5, 0, 1)])`:         "[0.25 150 1]",
		// 24-hour local clock text.
		m + `[m.clockText(new Date(2026, 11, 6, 21, 5, 9, 40).getTime()), m.clockText(new Date(2026, 0, 2, 0, 0, 1, 7).getTime(), true), m.dateText(new Date(2026, 0, 2).getTime())])`: "[21:05:09 00:00:01.007 2026-01-02]",
		// Ticks on round local times, six to twelve of them.
		m + `(() => { const from = new Date(2026, 11, 6, 8, 3, 20).getTime(); const tk = m.ticks({from, to: from + 3600000});
			return [tk.step, tk.times.length, m.tickText(tk.times[0], tk.step)]; })())`: "[300000 12 08:05]",
		// Between reports the clock runs on at the speed, at most 1.5 s; paused it stands.
		m + `[m.shownTime({time: 1000, at: 0, speed: 4}, 500), m.shownTime({time: 1000, at: 0, speed: 1}, 9000),
			m.shownTime({time: 1000, at: 0, speed: 2, paused: true}, 500), String(m.shownTime(null, 1))])`: "[3000 2500 1000 NaN]",
		m + `[m.spanAt([{from: 0, to: 10}, {from: 20, to: 30}], 15).from, m.spanAt([{from: 0, to: 10}], 5).from, m.spanAt([{from: 0, to: 10}], 11)])`: "[20 0 <nil>]",
	}
	for expr, want := range cases {
		got := fmt.Sprint(browsertest.MustEval[any](b, expr))
		if got != want {
			t.Errorf("%s\n got %s\nwant %s", expr, got, want)
		}
	}
}
