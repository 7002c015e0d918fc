package signal

import (
	"time"

	"vigil/gateway/store"
)

// DefaultTourUnit is the length of one second of a tour's dwell; tests
// shorten it.
const DefaultTourUnit = time.Second

// tourRun is one running tour: the step it shows, and when the next one is
// due. A step is a page of size cameras (1 on a tile, the grid's tiles on
// a grid or wall) among those the viewer may see, asked again at every
// step: a station taken from the viewer drops its cameras at the next one.
type tourRun struct {
	tour   store.Tour
	dwell  time.Duration
	size   int
	step   int
	steps  int // pages at the last step
	paused bool
	due    time.Time     // when the next step is due, while running
	left   time.Duration // what was left of the dwell, while paused
}

func newTourRun(t store.Tour, size, step int, unit time.Duration) *tourRun {
	dwell := time.Duration(t.Dwell/time.Second) * unit
	if dwell <= 0 {
		dwell = unit
	}
	return &tourRun{tour: t, dwell: dwell, size: max(size, 1), step: step}
}

// page returns the cameras of the current step, skipping those visible
// refuses; nil when the viewer may see none of them. A step past the end
// wraps to the start.
func (r *tourRun) page(visible func(id string) bool) []string {
	var cams []string
	for _, id := range r.tour.Cameras {
		if visible(id) {
			cams = append(cams, id)
		}
	}
	if len(cams) == 0 {
		return nil
	}
	r.steps = (len(cams) + r.size - 1) / r.size
	r.step %= r.steps
	from := r.step * r.size
	return cams[from:min(from+r.size, len(cams))]
}

// shown starts the dwell of the step just shown.
func (r *tourRun) shown(now time.Time) {
	if r.paused {
		r.left = r.dwell
		return
	}
	r.due = now.Add(r.dwell)
}

// pause stops the clock, keeping what is left of the dwell; resume starts
// it again from there.
func (r *tourRun) pause(now time.Time) {
	if !r.paused {
		r.paused, r.left = true, max(r.due.Sub(now), 0)
	}
}

func (r *tourRun) resume(now time.Time) {
	if r.paused {
		r.paused, r.due = false, now.Add(r.left)
	}
}

// isDue reports whether the run should step now.
func (r *tourRun) isDue(now time.Time) bool { return !r.paused && !now.Before(r.due) }
