package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

// ttff starts all viewers at once, Rounds times, and measures the time to
// their first frame; between rounds a random pause puts the start at
// another point of the cameras' GOP.
func (w *window) ttff(ctx context.Context) error {
	gw0, self0 := w.begin()
	var all []*viewer
	minFPS := -1.0
	gop := time.Duration(w.sc.GOP) * time.Second / time.Duration(w.o.FPS)
	for round := range w.sc.Rounds {
		if round > 0 {
			if err := sleep(ctx, time.Duration(rand.Int64N(int64(gop)))); err != nil {
				return err
			}
		}
		vs, err := w.openAll(ctx, w.sc.Cameras*w.sc.Viewers)
		if err == nil {
			err = w.firstFrames(ctx, vs, gop+10*time.Second)
		}
		if err == nil {
			w.m.on.Store(true)
			err = sleep(ctx, w.sc.Duration)
			w.m.on.Store(false)
		}
		counted := (w.sc.Duration - w.o.Warmup).Seconds()
		for _, v := range vs {
			st := v.take()
			w.t.add(st)
			if fps := float64(st.frames) / counted; minFPS < 0 || fps < minFPS {
				minFPS = fps
			}
		}
		closeAll(vs)
		all = append(all, vs...)
		if err != nil {
			return err
		}
	}
	w.finish(gw0, self0)
	// Each viewer counts frames for Duration less its warm-up.
	w.r.WindowS = (w.sc.Duration - w.o.Warmup).Seconds()
	w.collect(nil, &w.t)
	w.r.FPSViewer = float64(w.t.frames) / w.r.WindowS / float64(len(all))
	w.r.FPSMin = max(minFPS, 0)
	return nil
}

// soak samples every SampleEvery and replaces a random viewer every
// ChurnEvery, until the scenario's duration is over. vs is updated in
// place.
func (w *window) soak(ctx context.Context, vs []*viewer) error {
	start := time.Now()
	sample, churn := time.NewTicker(w.sc.SampleEvery), time.NewTicker(w.sc.ChurnEvery)
	defer sample.Stop()
	defer churn.Stop()
	last, _ := readProc(w.pid)
	end := time.After(w.sc.Duration)
	var interval tally
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end:
			return nil
		case <-churn.C:
			i := rand.IntN(len(vs))
			old := vs[i]
			nv, err := openViewer(ctx, whepURL(w.g.whep, camName(old.camera)), w.g.token, old.camera, w.m)
			if err != nil {
				return fmt.Errorf("soak: reopen viewer: %w", err)
			}
			old.close()
			st := old.take()
			w.t.add(st)
			interval.add(st)
			vs[i] = nv
		case now := <-sample.C:
			cur, _ := readProc(w.pid)
			for _, v := range vs {
				st := v.take()
				w.t.add(st)
				interval.add(st)
			}
			w.r.Samples = append(w.r.Samples, soakSample{AtS: now.Sub(start).Round(time.Second).Seconds(),
				RSSMB: cur.rssMB, Goroutines: w.g.goroutines(ctx), CPUCores: cores(last, cur),
				P99: newDist(interval.lat).P99, Lost: interval.lost})
			last, interval = cur, tally{}
		}
	}
}

// warnings flag results that should not be trusted, or a gateway that
// changed the stream.
func warnings(r *result) []string {
	var out []string
	if r.ToolCores > 1.5 {
		out = append(out, fmt.Sprintf("vigilbench itself used %.2f cores: on a 2-core machine the figures are suspect", r.ToolCores))
	}
	if r.FPS > 0 && r.CameraFPS < 0.98*float64(r.FPS) {
		out = append(out, fmt.Sprintf("the cameras sent %.1f fps, not %d: this process was starved", r.CameraFPS, r.FPS))
	}
	if r.OtherCores > 0.25 {
		out = append(out, fmt.Sprintf("other processes used %.2f cores during the window: figures are disturbed", r.OtherCores))
	}
	if r.Untagged > 0 {
		out = append(out, fmt.Sprintf("%d frames without the vigilbench SEI: the gateway dropped or altered it", r.Untagged))
	}
	if r.Viewers > 0 && r.Frames == 0 {
		out = append(out, "no frames counted")
	}
	if b, err := os.ReadFile("/proc/sys/net/core/rmem_max"); err == nil {
		if n, _ := strconv.Atoi(strings.TrimSpace(string(b))); n > 0 && n < viewerBuffer && r.Viewers > 0 {
			out = append(out, fmt.Sprintf("net.core.rmem_max is %d: viewer socket buffers are capped below %d, drops may be the tool's", n, viewerBuffer))
		}
	}
	return out
}

// soakVerdict compares the first and the last third of a soak's samples:
// memory, goroutines and latency must not grow.
func soakVerdict(ss []soakSample) []string {
	third := max(1, len(ss)/3)
	first, last := ss[:third], ss[len(ss)-third:]
	mean := func(xs []soakSample, f func(soakSample) float64) float64 {
		sum := 0.0
		for _, x := range xs {
			sum += f(x)
		}
		return sum / float64(len(xs))
	}
	rss := func(s soakSample) float64 { return s.RSSMB }
	gor := func(s soakSample) float64 { return float64(s.Goroutines) }
	p99 := func(s soakSample) float64 { return s.P99 }
	var out []string
	if a, b := mean(first, rss), mean(last, rss); b > a*1.05+5 {
		out = append(out, fmt.Sprintf("soak: RSS grew from %.0f to %.0f MB", a, b))
	}
	if a, b := mean(first, gor), mean(last, gor); a >= 0 && b > a+10 {
		out = append(out, fmt.Sprintf("soak: goroutines grew from %.0f to %.0f", a, b))
	}
	if a, b := mean(first, p99), mean(last, p99); b > 2*a+2 {
		out = append(out, fmt.Sprintf("soak: latency p99 grew from %.1f to %.1f ms", a, b))
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("soak: flat (RSS %.0f → %.0f MB, goroutines %.0f → %.0f, p99 %.1f → %.1f ms)",
			mean(first, rss), mean(last, rss), mean(first, gor), mean(last, gor), mean(first, p99), mean(last, p99)))
	}
	return out
}
