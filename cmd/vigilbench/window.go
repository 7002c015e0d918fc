package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// window is one scenario's measurement.
type window struct {
	g   *gateway
	pid string
	sc  scenario
	o   options
	r   *result
	m   *meter
	t   tally
	// endMB is the memory at the end of the window, as memory measures it.
	endMB float64
	cams  *cameras
	sent0 uint64 // frames the cameras had sent when the window began
}

// memory samples the gateway for memory increments: vigil first returns
// its free memory to the OS (r.Released), so the increments are what is
// in use, not the garbage collector's slack (the login's 64 MB argon2
// hash, for one, stays resident otherwise).
func (w *window) memory(ctx context.Context) (procSample, error) {
	if w.g.release(ctx) {
		w.r.Released = true
	}
	return readProc(w.pid)
}

// idle measures the gateway with cameras and no viewers.
func (w *window) idle(ctx context.Context) error {
	gw0, self0 := w.begin()
	if err := w.profile(ctx, w.sc.Duration); err != nil {
		return err
	}
	w.finish(gw0, self0)
	return nil
}

// profile waits d, collecting vigil's CPU profile (and with
// VIGILBENCH_TRACE a 5 s execution trace) and, at the end, a heap profile
// when asked.
func (w *window) profile(ctx context.Context, d time.Duration) error {
	if w.o.Profile == "" || w.g.pprof == "" {
		return sleep(ctx, d)
	}
	prefix := fmt.Sprintf("%s/%s", w.o.Profile, w.sc.Name)
	traced := make(chan error, 1)
	go func() {
		if os.Getenv("VIGILBENCH_TRACE") == "" { // a trace slows a loaded gateway down
			traced <- nil
			return
		}
		traced <- w.g.fetch(ctx, fmt.Sprintf("/debug/pprof/trace?seconds=%d", min(5, int(d.Seconds()))), prefix+".trace")
	}()
	if err := w.g.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(d.Seconds())), prefix+".cpu.pprof"); err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if err := <-traced; err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	return w.g.fetch(ctx, "/debug/pprof/heap", prefix+".heap.pprof")
}

// begin samples the gateway, this process, the machine and the cameras
// at the start of the window.
func (w *window) begin() (gw, self procSample) {
	gw, _ = readProc(w.pid)
	self, _ = readProc("self")
	self.machine = machineBusy()
	w.sent0 = w.cams.framesSent()
	return gw, self
}

// finish records the window's CPU and the gateway's memory.
func (w *window) finish(gw0, self0 procSample) {
	gw1, _ := readProc(w.pid)
	self1, _ := readProc("self")
	self1.machine = machineBusy()
	w.r.WindowS = gw1.at.Sub(gw0.at).Seconds()
	w.r.CPUCores = cores(gw0, gw1)
	w.r.ToolCores = cores(self0, self1)
	w.r.CameraFPS = float64(w.cams.framesSent()-w.sent0) / self1.at.Sub(self0.at).Seconds() / float64(w.sc.Cameras)
	w.r.OtherCores = max(0, (self1.machine-self0.machine)/self1.at.Sub(self0.at).Seconds()-w.r.CPUCores-w.r.ToolCores)
	w.r.RSSMB = gw1.rssMB
	w.r.Threads = gw1.threads
	w.r.Goroutines = max(w.g.goroutines(context.Background()), 0)
	w.endMB = gw1.rssMB
	if w.r.Released {
		if end, err := w.memory(context.Background()); err == nil {
			w.endMB = end.rssMB
		}
	}
}

// viewing opens every viewer, then measures a window (sampled for soak).
func (w *window) viewing(ctx context.Context) error {
	vs, err := w.openAll(ctx, 16)
	defer func() { closeAll(vs) }()
	if err != nil {
		return err
	}
	if err := w.firstFrames(ctx, vs, 30*time.Second); err != nil {
		// On a busy machine a viewer or two of many may miss its start (this
		// process starved); the CPU figure still holds with the others.
		var few *missingFirstFrames
		if !errors.As(err, &few) || few.missing*20 > few.of {
			return err
		}
		w.r.Warnings = append(w.r.Warnings, err.Error())
	}
	if err := sleep(ctx, w.o.Warmup); err != nil {
		return err
	}
	gw0, self0 := w.begin()
	w.m.on.Store(true)
	if w.sc.SampleEvery > 0 {
		err = w.soak(ctx, vs)
	} else {
		err = w.profile(ctx, w.sc.Duration)
	}
	w.m.on.Store(false)
	if err != nil {
		return err
	}
	w.finish(gw0, self0)
	w.collect(vs, &w.t)
	if w.sc.ChurnEvery > 0 {
		w.r.FPSMin = 0 // replaced viewers did not see the whole window
	}
	return nil
}

// tally sums viewers' window counts.
type tally struct {
	lat      []time.Duration
	keyLat   []time.Duration
	added    []time.Duration
	frames   int
	lost     uint64
	damaged  int
	untagged int
	minFPS   float64 // of viewers that lasted the whole window
}

func (t *tally) add(st viewerStats) {
	t.lat = append(t.lat, st.latencies...)
	t.keyLat = append(t.keyLat, st.keyLat...)
	t.added = append(t.added, st.added...)
	t.frames += st.frames
	t.lost += st.lost
	t.damaged += st.damaged
	t.untagged += st.untagged
}

// collect takes the viewers' window counts into the result.
func (w *window) collect(vs []*viewer, t *tally) {
	t.minFPS = -1
	for _, v := range vs {
		st := v.take()
		t.add(st)
		if fps := float64(st.frames+st.untagged) / w.r.WindowS; t.minFPS < 0 || fps < t.minFPS {
			t.minFPS = fps
		}
	}
	w.r.Latency, w.r.KeyLatency, w.r.Added = newDist(t.lat), newDist(t.keyLat), newDist(t.added)
	if w.m.base != nil {
		w.r.Direct = newDist(w.m.base.take())
	}
	w.r.Frames, w.r.Lost, w.r.Damaged, w.r.Untagged = t.frames, t.lost, t.damaged, t.untagged
	w.r.FPSMin = max(t.minFPS, 0)
	if len(vs) > 0 {
		// Untagged frames were delivered too (go2rtc strips an SEI that
		// starts a P-frame's access unit): they count for the frame rate.
		w.r.FPSViewer = float64(t.frames+t.untagged) / w.r.WindowS / float64(len(vs))
	}
}

// openAll opens sc.Viewers viewers per camera, parallel at most par at a time.
func (w *window) openAll(ctx context.Context, par int) ([]*viewer, error) {
	n := w.sc.Cameras * w.sc.Viewers
	vs := make([]*viewer, n)
	errs := make([]error, n)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cam := i % w.sc.Cameras
			vs[i], errs[i] = openViewer(ctx, whepURL(w.g.whep, camName(cam)), w.g.token, cam, w.m)
		}()
	}
	wg.Wait()
	var opened []*viewer
	var first error
	for i := range n {
		if errs[i] != nil && first == nil {
			first = errs[i]
		}
		if vs[i] != nil {
			opened = append(opened, vs[i])
		}
	}
	return opened, first
}

// firstFrames waits for every viewer's first keyframe and records the
// times to first frame.
func (w *window) firstFrames(ctx context.Context, vs []*viewer, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	var missing []string
	for _, v := range vs {
		if err := v.waitFirstKey(ctx); err != nil {
			missing = append(missing, camName(v.camera))
			continue
		}
		w.r.ttff = append(w.r.ttff, v.firstKeyAt().Sub(v.offered))
		w.r.ttffAnswer = append(w.r.ttffAnswer, v.answered.Sub(v.offered))
		if c := v.connected.Load(); c != 0 {
			w.r.ttffConnected = append(w.r.ttffConnected, time.Unix(0, c).Sub(v.offered))
		}
	}
	w.r.TTFF, w.r.TTFFAnswer, w.r.TTFFConnected = newDist(w.r.ttff), newDist(w.r.ttffAnswer), newDist(w.r.ttffConnected)
	if len(missing) > 0 {
		return &missingFirstFrames{missing: len(missing), of: len(vs), msg: fmt.Sprintf("%d of %d viewers without a first frame after %v (%s)",
			len(missing), len(vs), within, strings.Join(missing[:min(5, len(missing))], ", "))}
	}
	return nil
}

// missingFirstFrames: some viewers never showed a frame.
type missingFirstFrames struct {
	missing, of int
	msg         string
}

func (e *missingFirstFrames) Error() string { return e.msg }
