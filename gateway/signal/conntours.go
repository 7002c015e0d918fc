package signal

import (
	"context"
	"errors"
	"time"

	"vigil/gateway/authz"
	"vigil/gateway/store"
)

// TourStore reads saved tours; *store.Store implements it.
type TourStore interface {
	GetTour(ctx context.Context, id string) (store.Tour, error)
}

// gridTour is the tours map's key of the grid's tour.
const gridTour = -1

// Tour states sent to the console.
const (
	TourRunning = "running"
	TourPaused  = "paused"
	TourStopped = "stopped"
)

// TourMsg tells the console what a tour on a tile (or "grid") shows now:
// the console puts Cameras on the tile (on the grid's first tiles, the
// rest empty) as if the dispatcher had. A stopped tour's Reason is "",
// "no_such_tour" or "no_cameras" (none the user may see).
type TourMsg struct {
	Type    string   `json:"type"` // "tour"
	Tile    any      `json:"tile"` // a tile number or "grid"
	Tour    string   `json:"tour"`
	Name    string   `json:"name,omitempty"`
	State   string   `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	Step    int      `json:"step"`
	Steps   int      `json:"steps,omitempty"`
	DwellS  int      `json:"dwell_s,omitempty"`
	Cameras []string `json:"cameras,omitempty"`
}

func tourTile(key int) any {
	if key == gridTour {
		return "grid"
	}
	return key
}

func tourKey(m ClientMessage) int {
	if m.Grid {
		return gridTour
	}
	return m.Tile
}

// startTour runs (or, for "tour":"", stops) a tour. A grid tour and tile
// tours do not run together: one replaces the others.
func (c *conn) startTour(m ClientMessage) {
	key := tourKey(m)
	if m.Tour == "" {
		c.stopTour(key, "")
		return
	}
	t, ok := c.loadTour(m.Tour)
	if !ok {
		c.stopTour(key, "no_such_tour")
		return
	}
	for k := range c.tours {
		if k == gridTour || key == gridTour {
			c.stopTour(k, "")
		}
	}
	size := 1
	if key == gridTour {
		size = m.Tiles
	}
	c.tours[key] = newTourRun(t, size, m.Step, c.s.opts.TourUnit)
	c.showTourStep(key, time.Now())
}

// loadTour reads a tour the user may run; others do not exist for him.
func (c *conn) loadTour(id string) (store.Tour, bool) {
	if c.s.opts.Tours == nil {
		return store.Tour{}, false
	}
	ctx, cancel := context.WithTimeout(c.ctx, recheckLimit)
	defer cancel()
	t, err := c.s.opts.Tours.GetTour(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		c.log.Error("console: read tour", "tour", id, "err", err)
	}
	// Whom a tour is for is the layouts' rule (authz.Sharing).
	return t, err == nil && authz.Sharing{Owner: t.Owner, Shared: t.Shared}.VisibleTo(c.currentUser())
}

func (c *conn) stopTour(key int, reason string) {
	r, ok := c.tours[key]
	if !ok && reason == "" {
		return
	}
	delete(c.tours, key)
	m := TourMsg{Type: "tour", Tile: tourTile(key), State: TourStopped, Reason: reason}
	if ok {
		m.Tour, m.Name = r.tour.ID, r.tour.Name
	}
	c.send(m)
	c.armTours()
}

func (c *conn) pauseTour(m ClientMessage) {
	key := tourKey(m)
	r, ok := c.tours[key]
	if !ok {
		return
	}
	if m.Paused {
		r.pause(time.Now())
	} else {
		r.resume(time.Now())
	}
	c.sendTour(key, r, nil)
	c.armTours()
}

// showTourStep tells the console the current step's cameras, those the
// user may see now; a tour left with none stops.
func (c *conn) showTourStep(key int, now time.Time) {
	r := c.tours[key]
	cams := r.page(func(id string) bool {
		_, ok := c.visibleCamera(id)
		return ok
	})
	if cams == nil {
		c.stopTour(key, "no_cameras")
		return
	}
	r.shown(now)
	c.sendTour(key, r, cams)
	c.armTours()
}

func (c *conn) sendTour(key int, r *tourRun, cams []string) {
	state := TourRunning
	if r.paused {
		state = TourPaused
	}
	c.send(TourMsg{Type: "tour", Tile: tourTile(key), Tour: r.tour.ID, Name: r.tour.Name, State: state,
		Step: r.step, Steps: r.steps, DwellS: int(r.tour.Dwell / time.Second), Cameras: cams})
}

// stepTours advances every tour that is due (the loop's timer fired).
func (c *conn) stepTours() {
	now := time.Now()
	for key, r := range c.tours {
		if r.isDue(now) {
			r.step++
			c.showTourStep(key, now)
		}
	}
	c.armTours()
}

// armTours sets the loop's tour timer to the next step due.
func (c *conn) armTours() {
	var next time.Time
	for _, r := range c.tours {
		if !r.paused && (next.IsZero() || r.due.Before(next)) {
			next = r.due
		}
	}
	if next.IsZero() {
		c.tourTimer.Stop()
		return
	}
	c.tourTimer.Reset(time.Until(next))
}
