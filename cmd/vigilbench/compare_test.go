package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func runsOf(cpuRSS ...float64) []*result {
	var rs []*result
	for i := 0; i+1 < len(cpuRSS); i += 2 {
		rs = append(rs, &result{CPUCores: cpuRSS[i], RSSMB: cpuRSS[i+1]})
	}
	return rs
}

func TestComparisonMediansAndRatios(t *testing.T) {
	t.Parallel()
	cmp := &comparison{Scenario: "ingest", Cells: []*cell{
		{Gateway: "vigil", Runs: runsOf(0.20, 150, 0.30, 140, 0.10, 160)},  // medians 0.20 / 150
		{Gateway: "mediamtx", Runs: runsOf(0.40, 260, 0.50, 280)},          // 0.45 / 270
		{Gateway: "go2rtc", Runs: runsOf(0.42, 100, 0.38, 120, 0.90, 110)}, // 0.42 / 110
		{Gateway: "broken", Errors: []string{"no frames"}},
		{Gateway: "vigil-old", Runs: runsOf(0.01, 10)}, // shown, never the best
	}}
	if m := cmp.Cells[1].medianOf(cpuOf); math.Abs(m-0.45) > 1e-9 {
		t.Fatalf("even count median %v, want 0.45", m)
	}
	cpu, rss, bestCPU, bestRSS := cmp.ratios()
	if bestCPU != "go2rtc" || bestRSS != "go2rtc" || math.Abs(cpu-0.20/0.42) > 1e-9 || math.Abs(rss-150.0/110) > 1e-9 {
		t.Fatalf("ratios %v %v against %s %s", cpu, rss, bestCPU, bestRSS)
	}
	var out bytes.Buffer
	printComparisons(&out, []*comparison{cmp}, time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC))
	for _, want := range []string{"| ingest (3 runs each) | 0.200 / 150 | 0.450 / 270 | 0.420 / 110 | failed | 0.010 / 10 | 0.48 / 1.36 (best: go2rtc / go2rtc) | 0.48 (0.200 vs go2rtc 0.420)",
		"2026-12-06 07:00 UTC", "ingest broken failed: no frames"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	// Scaled to the nominal frame rate: vigil's cameras sent half of it.
	for _, r := range cmp.Cells[0].Runs {
		r.FPS, r.CameraFPS = 25, 12.5
	}
	if got := cmp.ratio(scaledCPUOf); math.Abs(got-0.40/0.42) > 1e-9 {
		t.Fatalf("scaled ratio %v, want %v", got, 0.40/0.42)
	}
	none := &comparison{Cells: []*cell{{Gateway: "vigil", Runs: runsOf(0.2, 100)}, {Gateway: "a"}}}
	if cpu, _, _, _ := none.ratios(); !math.IsNaN(cpu) || fmtRatio(cpu) != "-" {
		t.Errorf("ratio without an anchor run: %v", cpu)
	}
}

// TestUntaggedFramesAreNoLoss: a gateway that strips the SEI from some
// frames delivered them; only a counter gap they do not fill is a loss.
func TestUntaggedFramesAreNoLoss(t *testing.T) {
	t.Parallel()
	m := &meter{}
	m.on.Store(true)
	v := &viewer{meter: m}
	key := frameScan{idr: true, sps: true, pps: true, tagged: true, tag: frameTag{Frame: 1}}
	v.frameDone(&key, frameArrival{at: time.Now()})
	for range 3 { // frames 2 to 4, untagged
		v.frameDone(&frameScan{}, frameArrival{at: time.Now()})
	}
	v.frameDone(&frameScan{tagged: true, tag: frameTag{Frame: 5}}, frameArrival{at: time.Now()})
	v.frameDone(&frameScan{tagged: true, tag: frameTag{Frame: 8}}, frameArrival{at: time.Now()}) // 6, 7 lost
	st := v.take()
	if st.lost != 2 || st.untagged != 3 || st.frames != 3 {
		t.Fatalf("lost %d, untagged %d, frames %d; want 2, 3, 3", st.lost, st.untagged, st.frames)
	}
}

// TestCompareWithVigilAsAnchor runs the side-by-side mode end to end with
// a second vigil, started from its binary as an anchor is: both measured,
// interleaved, one table row; another vigil is no anchor, so no ratio.
func TestCompareWithVigilAsAnchor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs vigil twice")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := vigilBinary(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	err = run(ctx, []string{"-json", "-anchor", "vigil-copy=" + bin, "-reps", "1", "-cameras", "1", "-duration", "2s",
		"-warmup", "500ms", "-width", "320", "-height", "180", "-bitrate", "300000", "ingest"}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	var cmps []*comparison
	if err := json.Unmarshal(out.Bytes(), &cmps); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(cmps) != 1 || len(cmps[0].Cells) != 2 {
		t.Fatalf("comparisons %s", out.String())
	}
	for _, c := range cmps[0].Cells {
		if len(c.Runs) != 1 || len(c.Errors) > 0 || c.Runs[0].Frames == 0 || c.Runs[0].CPUCores <= 0 || c.Runs[0].Gateway != c.Gateway {
			t.Fatalf("%s: %d runs, errors %v: %s", c.Gateway, len(c.Runs), c.Errors, out.String())
		}
	}
	if cpu, _, best, _ := cmps[0].ratios(); best != "" || !math.IsNaN(cpu) {
		t.Fatalf("ratio %v against %q: another vigil is no anchor", cpu, best)
	}
}

// TestMissingFirstFramesCounted: viewers without a first frame are named
// and counted, so that a few of many (a starved tool) only warn.
func TestMissingFirstFramesCounted(t *testing.T) {
	t.Parallel()
	vs := make([]*viewer, 20)
	for i := range vs {
		vs[i] = &viewer{camera: i}
		if i != 7 {
			vs[i].st.firstKey = time.Now()
		}
	}
	w := &window{r: &result{}}
	err := w.firstFrames(context.Background(), vs, time.Millisecond)
	var few *missingFirstFrames
	if !errors.As(err, &few) || few.missing != 1 || few.of != 20 || !strings.Contains(err.Error(), "cam7") {
		t.Fatalf("got %v", err)
	}
	if w.r.TTFF.N != 19 {
		t.Fatalf("TTFF of %d viewers, want 19", w.r.TTFF.N)
	}
}
