package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// cell is one gateway's repetitions of one scenario.
type cell struct {
	Gateway string    `json:"gateway"`
	Runs    []*result `json:"runs"`
	Errors  []string  `json:"errors,omitempty"`
}

// medianOf is the median of f over the runs (the mean of the middle two
// for an even count); NaN without runs.
func (c *cell) medianOf(f func(*result) float64) float64 {
	if len(c.Runs) == 0 {
		return math.NaN()
	}
	xs := make([]float64, len(c.Runs))
	for i, r := range c.Runs {
		xs[i] = f(r)
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

func cpuOf(r *result) float64 { return r.CPUCores }

// scaledCPUOf is the CPU scaled to the cameras' nominal frame rate: on a
// busy machine the cameras (in this process) send fewer frames than -fps,
// by a different amount in each run, and a gateway's CPU follows the
// frames it gets.
func scaledCPUOf(r *result) float64 {
	if r.CameraFPS <= 0 || r.FPS <= 0 {
		return r.CPUCores
	}
	return r.CPUCores * float64(r.FPS) / r.CameraFPS
}
func rssOf(r *result) float64 { return r.RSSMB }

// comparison is one scenario's row: vigil first, then the anchors.
type comparison struct {
	Scenario string  `json:"scenario"`
	Cells    []*cell `json:"cells"`
	// Load is /proc/loadavg's 1-minute figure when the scenario began and ended.
	LoadBegin float64 `json:"load_begin"`
	LoadEnd   float64 `json:"load_end"`
}

// ratios are vigil's median CPU and RSS divided by the best (lowest)
// anchor's; NaN when vigil or every anchor has no run.
func (c *comparison) ratios() (cpu, rss float64, bestCPU, bestRSS string) {
	return c.ratio(cpuOf), c.ratio(rssOf), c.best(cpuOf), c.best(rssOf)
}

// best names the anchor with the lowest median of f. Other vigils (a
// build of another commit) are shown beside, not taken as anchors.
func (c *comparison) best(f func(*result) float64) string {
	name, low := "", math.Inf(1)
	for _, a := range c.Cells[1:] {
		if strings.HasPrefix(a.Gateway, "vigil") {
			continue
		}
		if v := a.medianOf(f); v > 0 && v < low {
			name, low = a.Gateway, v
		}
	}
	return name
}

// bestValue is the best anchor's median of f; NaN without one.
func (c *comparison) bestValue(f func(*result) float64) float64 {
	name := c.best(f)
	for _, a := range c.Cells[1:] {
		if a.Gateway == name {
			return a.medianOf(f)
		}
	}
	return math.NaN()
}

func (c *comparison) ratio(f func(*result) float64) float64 {
	return c.Cells[0].medianOf(f) / c.bestValue(f)
}

// compare runs each scenario reps times against vigil and every anchor,
// interleaved (vigil, A, B, vigil, A, B…) so that a change in the
// machine's load falls on all of them alike. A gateway's failed run is
// recorded and the others go on.
func (b *bench) compare(ctx context.Context, names []string, anchors []anchor, reps int, log io.Writer) ([]*comparison, error) {
	var out []*comparison
	for _, name := range names {
		sc, err := findScenario(name)
		if err != nil || sc.Rounds > 0 || sc.Relay || sc.SampleEvery > 0 || sc.Record {
			return out, fmt.Errorf("%s: only idle, ingest and fanout are compared", name)
		}
		cmp := &comparison{Scenario: name, Cells: []*cell{{Gateway: "vigil"}}, LoadBegin: loadAvg()}
		for _, an := range anchors {
			cmp.Cells = append(cmp.Cells, &cell{Gateway: an.Name})
		}
		for rep := range reps {
			for i, c := range cmp.Cells {
				var an *anchor
				if i > 0 {
					an = &anchors[i-1]
				}
				fmt.Fprintf(log, "%s: %s, repetition %d of %d (load %.2f)…\n", name, c.Gateway, rep+1, reps, loadAvg())
				r, err := b.run(ctx, sc, an)
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				if err != nil {
					c.Errors = append(c.Errors, err.Error())
					fmt.Fprintf(log, "  %s: %v\n", c.Gateway, err)
					continue
				}
				r.Gateway = c.Gateway
				c.Runs = append(c.Runs, r)
				fmt.Fprintln(log, r.row())
			}
		}
		cmp.LoadEnd = loadAvg()
		out = append(out, cmp)
	}
	return out, nil
}

// loadAvg is the machine's 1-minute load average; 0 when unknown.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var v float64
	fmt.Sscan(string(b), &v)
	return v
}

// printComparisons writes one row per scenario: each gateway's median
// CPU and RSS over its runs and vigil ÷ the best anchor.
func printComparisons(w io.Writer, cs []*comparison, when time.Time) {
	if len(cs) == 0 {
		return
	}
	head := []string{"scenario"}
	for _, c := range cs[0].Cells {
		head = append(head, c.Gateway+" CPU / RSS MB")
	}
	head = append(head, "vigil ÷ best CPU / RSS", "CPU at the nominal fps: vigil ÷ best", "load 1 min")
	fmt.Fprintf(w, "medians of the runs, %s\n", when.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
	for _, cmp := range cs {
		row := []string{fmt.Sprintf("%s (%d runs each)", cmp.Scenario, len(cmp.Cells[0].Runs))}
		for _, c := range cmp.Cells {
			row = append(row, c.figures())
		}
		cpu, rss, bestCPU, bestRSS := cmp.ratios()
		scaled := fmt.Sprintf("%s (%.3f vs %s %.3f)", fmtRatio(cmp.ratio(scaledCPUOf)), cmp.Cells[0].medianOf(scaledCPUOf),
			orDash(cmp.best(scaledCPUOf)), cmp.bestValue(scaledCPUOf))
		row = append(row, fmt.Sprintf("%s / %s (best: %s / %s)", fmtRatio(cpu), fmtRatio(rss), orDash(bestCPU), orDash(bestRSS)),
			scaled, fmt.Sprintf("%.2f → %.2f", cmp.LoadBegin, cmp.LoadEnd))
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	for _, cmp := range cs {
		for _, c := range cmp.Cells {
			for _, e := range c.Errors {
				fmt.Fprintf(w, "  %s %s failed: %s\n", cmp.Scenario, c.Gateway, e)
			}
			for _, r := range c.Runs {
				if len(r.Warnings) > 0 {
					fmt.Fprintf(w, "  %s %s: %s\n", cmp.Scenario, c.Gateway, strings.Join(r.Warnings, "; "))
				}
			}
		}
	}
}

func (c *cell) figures() string {
	if len(c.Runs) == 0 {
		return "failed"
	}
	return fmt.Sprintf("%.3f / %.0f", c.medianOf(cpuOf), c.medianOf(rssOf))
}

func fmtRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2f", x)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
