package relay

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"vigil/streams/hub"
	"vigil/streams/source"
)

// PullOptions configure a Puller. Zero durations take the defaults.
type PullOptions struct {
	// URL returns the rtsp:// URL (with credentials: the cluster secret)
	// of a relay path on the node that owns the camera now. It is asked
	// before every connection attempt, so a pull follows its camera to a
	// new owner by itself.
	URL func(path string) (string, error)
	// Audio pulls the audio of main streams too.
	Audio bool
	// Linger is how long a pull goes on after its last user released it,
	// so a viewer flipping between layouts does not restart it (default
	// 10 s).
	Linger time.Duration
	Logger *slog.Logger
	// Source tunes the pulls (backoff, timeouts); its ID, URL, Hub and
	// AudioHub are set per path.
	Source source.Options
	// Hubs, when set, gives the hubs a path's pull publishes to (a
	// gateway's own hubs of the camera, which its viewers already read);
	// otherwise the Puller makes them.
	Hubs func(path string) (Hubs, bool)
}

// Puller pulls relay paths of other nodes into local hubs, each while it
// is used: the first Acquire of a path starts its pull, and the pull stops
// Linger after the last release. The hubs of a path stay the same for the
// Puller's life, across stops and restarts.
type Puller struct {
	opts   PullOptions
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	pulls map[string]*pull
}

// NewPuller returns an idle Puller.
func NewPuller(opts PullOptions) *Puller {
	if opts.Linger <= 0 {
		opts.Linger = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Puller{opts: opts, ctx: ctx, cancel: cancel, pulls: make(map[string]*pull)}
}

// Acquire registers one user of path ("camera" or "camera/sub") and
// returns its hubs; the first user starts the pull. release may be
// called any number of times. After Close, the hubs stay offline.
func (p *Puller) Acquire(path string) (Hubs, func()) {
	pl, err := p.pull(path)
	if err != nil {
		return pl.hubs, func() {}
	}
	if !pl.send(p.ctx, +1) {
		return pl.hubs, func() {}
	}
	var once sync.Once
	return pl.hubs, func() { once.Do(func() { pl.send(p.ctx, -1) }) }
}

// Starts returns how many times the pull of path was started.
func (p *Puller) Starts(path string) int {
	p.mu.Lock()
	pl := p.pulls[path]
	p.mu.Unlock()
	if pl == nil {
		return 0
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.starts
}

// Close stops every pull and waits for them.
func (p *Puller) Close() {
	p.cancel()
	p.wg.Wait()
}

// pull returns the pull of path, made (idle) on first use.
func (p *Puller) pull(path string) (*pull, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl, ok := p.pulls[path]; ok {
		return pl, nil
	}
	pl := &pull{viewers: make(chan int)}
	if p.opts.Hubs != nil {
		pl.hubs, _ = p.opts.Hubs(path)
	}
	if pl.hubs.Video == nil {
		pl.hubs = Hubs{Video: hub.New(hub.Options{ID: path})}
		if _, sub, _ := parsePath(path); p.opts.Audio && !sub {
			pl.hubs.Audio = hub.New(hub.Options{ID: path + "/audio"})
		}
	}
	o := p.opts.Source
	o.ID, o.URL, o.Hub, o.AudioHub, o.Logger = path, "", pl.hubs.Video, pl.hubs.Audio, p.opts.Logger
	o.ResolveURL = func() (string, error) { return p.opts.URL(path) }
	if o.Transport == "" {
		o.Transport = "tcp" // all a relay offers
	}
	src, err := source.New(o)
	if err != nil {
		return pl, err
	}
	pl.src = src
	p.pulls[path] = pl
	p.wg.Go(func() { pl.run(p.ctx, p.opts.Linger) })
	return pl, nil
}

// pull is one relay path's pull; run owns its viewer count, its linger
// timer and its running source.
type pull struct {
	hubs    Hubs
	src     *source.Source
	viewers chan int // +1 and -1, to run

	mu     sync.Mutex
	starts int
}

func (pl *pull) send(ctx context.Context, delta int) bool {
	select {
	case pl.viewers <- delta:
		return true
	case <-ctx.Done():
		return false
	}
}

func (pl *pull) run(ctx context.Context, linger time.Duration) {
	var (
		viewers int
		stop    func() // stops the running source; nil when idle
		lingerC <-chan time.Time
	)
	timer := time.NewTimer(linger)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			if stop != nil {
				stop()
			}
			return
		case d := <-pl.viewers:
			viewers += d
			switch {
			case viewers > 0 && stop == nil:
				stop = pl.start(ctx)
			case viewers > 0:
				timer.Stop()
				lingerC = nil
			case stop != nil:
				timer.Reset(linger)
				lingerC = timer.C
			}
		case <-lingerC:
			lingerC = nil
			stop()
			stop = nil
		}
	}
}

// start runs the source until the returned stop is called.
func (pl *pull) start(ctx context.Context) (stop func()) {
	pl.mu.Lock()
	pl.starts++
	pl.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pl.src.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
