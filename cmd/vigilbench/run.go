package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// options are the command line, shared by every scenario.
type options struct {
	URL      string // WHEP URL template of an already running gateway
	Token    string
	PID      int
	RTSP     string // camera listen address
	Settle   time.Duration
	Cameras  int // overrides of the scenario's counts
	Viewers  int
	Rounds   int
	Duration time.Duration
	Warmup   time.Duration
	Width    int
	Height   int
	FPS      int
	Bitrate  int
	GOP      int
	Encoder  string
	Record   bool
	// Diagnosis leaves vigil's video-quality diagnosis on (its default);
	// false writes alarms.diagnosis: false, to measure what it costs.
	Diagnosis bool
	Profile   string // directory for vigil's CPU and heap profiles
	Baseline  bool   // pull the cameras directly too, for the latency added
}

// meter tells viewers whether frames count: only inside the measurement
// window, and only warmup after a viewer's first keyframe (a gateway that
// starts viewers with a cached GOP sends them old frames first).
type meter struct {
	on     atomic.Bool
	warmup time.Duration
	base   *baseline // nil without -baseline
}

func (m *meter) counting() bool { return m.on.Load() }

// bench runs scenarios against one gateway setup.
type bench struct {
	opts options
	bin  string // the built vigil, when testing vigil
}

// run runs one scenario from cameras up to its result, against vigil
// (an == nil) or an anchor.
func (b *bench) run(ctx context.Context, sc scenario, an *anchor) (*result, error) {
	o := b.opts
	sc = b.apply(sc)
	r := &result{Scenario: sc.Name, Cameras: sc.Cameras, Viewers: sc.Cameras * sc.Viewers,
		Width: o.Width, Height: o.Height, FPS: o.FPS, Bitrate: o.Bitrate / 1000, GOP: sc.GOP, Encoder: o.Encoder}
	camAddr := o.RTSP
	if camAddr == "" {
		camAddr = freeAddr("tcp")
	}
	g, cams, stop, err := b.start(ctx, sc, an, camAddr)
	if err != nil {
		return nil, err
	}
	defer stop()
	r.Gateway = g.name
	pid := strconv.Itoa(g.pid)
	w := &window{g: g, pid: pid, sc: sc, o: o, r: r, m: &meter{warmup: o.Warmup}}
	base, err := w.memory(ctx)
	switch {
	case g.pid == 0:
		r.Warnings = append(r.Warnings, "no -pid: the gateway's CPU and memory are not measured")
	case err != nil:
		return nil, fmt.Errorf("gateway pid %s: %w", pid, err)
	}
	if o.Baseline {
		w.m.base = startBaseline(cams, sc.Cameras, w.m)
		defer w.m.base.close()
	}
	if err := b.waitIngest(ctx, g, sc.Cameras); err != nil {
		return nil, err
	}
	// Let every GOP cache fill and the gateway reach its steady state.
	if err := sleep(ctx, time.Duration(sc.GOP)*time.Second/time.Duration(o.FPS)+time.Second); err != nil {
		return nil, err
	}
	w.cams = cams
	camSample, _ := w.memory(ctx)
	r.RSSBaseMB, r.RSSCamMB = base.rssMB, camSample.rssMB
	r.PerCamMB = (camSample.rssMB - base.rssMB) / float64(sc.Cameras)
	switch {
	case sc.Rounds > 0:
		err = w.ttff(ctx)
	case sc.Viewers == 0:
		err = w.idle(ctx)
	default:
		err = w.viewing(ctx)
	}
	if err != nil {
		return nil, err
	}
	if sc.Viewers > 0 && sc.Rounds == 0 { // switch closes its viewers before the end
		r.PerViewMB = (w.endMB - camSample.rssMB) / float64(r.Viewers)
	}
	r.Warnings = append(r.Warnings, warnings(r)...)
	if len(r.Samples) >= 3 {
		r.SoakVerdict = strings.Join(soakVerdict(r.Samples), "; ")
	}
	return r, nil
}

// start brings up the cameras and the gateway under test in the order
// each needs: vigil first (its memory before any camera is known), an
// anchor after the cameras (it pulls them once at start). stop undoes both.
func (b *bench) start(ctx context.Context, sc scenario, an *anchor, camAddr string) (*gateway, *cameras, func(), error) {
	o := b.opts
	var g *gateway
	var err error
	if an == nil {
		if g, err = b.gateway(ctx, camAddr, sc); err != nil {
			return nil, nil, nil, err
		}
	}
	cams, err := startCameras(cameraOptions{Listen: camAddr, Count: sc.Cameras, Width: o.Width, Height: o.Height,
		FPS: o.FPS, Bitrate: o.Bitrate, GOP: sc.GOP, Encoder: o.Encoder})
	if err != nil {
		if g != nil {
			g.close()
		}
		return nil, nil, nil, err
	}
	if an != nil {
		if g, err = startAnchor(ctx, *an, camAddr, sc.Cameras, sc.Record); err != nil {
			cams.close()
			return nil, nil, nil, err
		}
	}
	return g, cams, func() { cams.close(); g.close() }, nil
}

// apply fills the scenario from the command line's overrides.
func (b *bench) apply(sc scenario) scenario {
	o := b.opts
	if o.Cameras > 0 {
		sc.Cameras = o.Cameras
	}
	if o.Viewers >= 0 {
		sc.Viewers = o.Viewers
	}
	if o.Rounds > 0 && sc.Rounds > 0 {
		sc.Rounds = o.Rounds
	}
	if sc.GOP == 0 || o.GOP != defaultGOP {
		sc.GOP = o.GOP
	}
	sc.Record = sc.Record || o.Record
	if o.Duration > 0 && sc.Rounds == 0 { // switch: each round views 5 s
		sc.Duration = o.Duration
	}
	return sc
}

func (b *bench) gateway(ctx context.Context, camAddr string, sc scenario) (*gateway, error) {
	if b.opts.URL != "" {
		return &gateway{name: "external", pid: b.opts.PID, whep: b.opts.URL, token: b.opts.Token}, nil
	}
	if sc.Relay {
		return startRelayPair(ctx, b.bin, camAddr, sc.Cameras, sc.Record)
	}
	return startVigil(ctx, b.bin, camAddr, sc.Cameras, sc.Record, b.opts.Diagnosis)
}

// waitIngest waits until the gateway pulls every camera: vigil says so;
// another gateway gets -settle.
func (b *bench) waitIngest(ctx context.Context, g *gateway, n int) error {
	if g.base != "" {
		return g.waitOnline(ctx, n, time.Minute)
	}
	return sleep(ctx, b.opts.Settle)
}

func closeAll(vs []*viewer) {
	var wg sync.WaitGroup
	for _, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.close()
		}()
	}
	wg.Wait()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
