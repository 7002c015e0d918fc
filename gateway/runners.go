package gateway

import (
	"context"
	"sync"
)

// cameraRunners runs one piece of work per camera while the camera is
// switched on: its sources on the node that owns it, its recorder. A
// cluster switches cameras on and off as ownership moves; a single node
// switches every camera on at start. A camera switched on again waits for
// its previous run to end, so two runs never publish to one hub.
type cameraRunners struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	runs   map[string]*cameraRun
}

type cameraRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	on     bool
}

func newCameraRunners() *cameraRunners {
	ctx, cancel := context.WithCancel(context.Background())
	return &cameraRunners{ctx: ctx, cancel: cancel, runs: map[string]*cameraRun{}}
}

// start runs fn for camera unless it is already on; it does not block.
func (c *cameraRunners) start(camera string, fn func(ctx context.Context)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.runs[camera]
	if prev != nil && prev.on {
		return
	}
	if c.ctx.Err() != nil {
		return // closed
	}
	ctx, cancel := context.WithCancel(c.ctx)
	run := &cameraRun{cancel: cancel, done: make(chan struct{}), on: true}
	c.runs[camera] = run
	c.wg.Go(func() {
		defer close(run.done)
		if prev != nil {
			<-prev.done
		}
		fn(ctx)
	})
}

// stop ends camera's run; it does not wait for it to finish.
func (c *cameraRunners) stop(camera string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if run := c.runs[camera]; run != nil && run.on {
		run.on = false
		run.cancel()
	}
}

// running reports whether camera is switched on.
func (c *cameraRunners) running(camera string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	run := c.runs[camera]
	return run != nil && run.on
}

// close stops every run and waits for them all.
func (c *cameraRunners) close() {
	c.cancel()
	c.wg.Wait()
}
