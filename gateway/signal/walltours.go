package signal

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"vigil/gateway/config"
	"vigil/gateway/store"
)

// ErrNoTourCameras: the tour has no camera the wall may show.
var ErrNoTourCameras = errors.New("the tour has no camera you may see")

// WallTours run tours on video walls with no console open: each step puts
// the next page of the tour's cameras on the wall (Walls.Put), and every
// kiosk following the wall shows it. One tour per wall; each runs on a
// goroutine that ends on Stop, on a new Start for its wall, or on Close.
type WallTours struct {
	walls *Walls
	unit  time.Duration
	log   *slog.Logger

	ops     sync.Mutex // one Start, Stop or Put at a time: no tour slips in between
	mu      sync.Mutex // guards closed and running
	closed  bool
	running map[string]*wallTour
}

type wallTour struct {
	tour   string
	cancel context.CancelFunc
	done   chan struct{}
}

// NewWallTours returns the wall tour runner of walls; unit is one second of
// a tour's dwell (0: DefaultTourUnit).
func NewWallTours(walls *Walls, unit time.Duration, log *slog.Logger) *WallTours {
	if unit <= 0 {
		unit = DefaultTourUnit
	}
	if log == nil {
		log = slog.Default()
	}
	return &WallTours{walls: walls, unit: unit, log: log, running: make(map[string]*wallTour)}
}

// Start runs tour t on wall id in grid, replacing what the wall ran;
// visible tells the cameras the starter may see (the others are skipped).
// by is who started it, shown as the wall's updater. It returns once the
// first step is on the wall.
func (wt *WallTours) Start(ctx context.Context, id, grid string, t store.Tour, visible func(string) bool, by string) error {
	wt.ops.Lock()
	defer wt.ops.Unlock()
	wt.stop(id)
	run := newTourRun(t, config.GridCapacity(grid), 0, wt.unit)
	cams := run.page(visible)
	if cams == nil {
		return ErrNoTourCameras
	}
	if _, err := wt.walls.Put(ctx, id, wallStep(grid, t.ID, cams), by); err != nil {
		return err
	}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.closed {
		return nil
	}
	runCtx, cancel := context.WithCancel(context.Background())
	w := &wallTour{tour: t.ID, cancel: cancel, done: make(chan struct{})}
	wt.running[id] = w
	go func() {
		defer close(w.done)
		wt.run(runCtx, id, grid, run, visible, by)
	}()
	return nil
}

func wallStep(grid, tour string, cams []string) store.WallLayout {
	return store.WallLayout{Grid: grid, Cameras: append([]string{}, cams...), Tour: tour}
}

// run shows the tour's next step after every dwell until cancelled.
func (wt *WallTours) run(ctx context.Context, id, grid string, r *tourRun, visible func(string) bool, by string) {
	timer := time.NewTimer(r.dwell)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r.step++
		if _, err := wt.walls.Put(ctx, id, wallStep(grid, r.tour.ID, r.page(visible)), by); err != nil && ctx.Err() == nil {
			wt.log.Error("wall tour: put wall", "wall", id, "tour", r.tour.ID, "err", err)
		}
		timer.Reset(r.dwell)
	}
}

// Put stops wall id's tour and shows l on the wall: a dispatcher's choice
// replaces the tour.
func (wt *WallTours) Put(ctx context.Context, id string, l store.WallLayout, by string) (store.Wall, error) {
	wt.ops.Lock()
	defer wt.ops.Unlock()
	wt.stop(id)
	return wt.walls.Put(ctx, id, l, by)
}

// Stop ends wall id's tour, if any, and waits for it: no step of it lands
// after Stop returns.
func (wt *WallTours) Stop(id string) {
	wt.ops.Lock()
	defer wt.ops.Unlock()
	wt.stop(id)
}

func (wt *WallTours) stop(id string) {
	wt.mu.Lock()
	w := wt.running[id]
	delete(wt.running, id)
	wt.mu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
	}
}

// Running returns the tour wall id runs, "" for none.
func (wt *WallTours) Running(id string) string {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if w := wt.running[id]; w != nil {
		return w.tour
	}
	return ""
}

// Close stops every wall tour and waits for them.
func (wt *WallTours) Close() {
	wt.mu.Lock()
	wt.closed = true
	ids := make([]string, 0, len(wt.running))
	for id := range wt.running {
		ids = append(ids, id)
	}
	wt.mu.Unlock()
	for _, id := range ids {
		wt.Stop(id)
	}
}
