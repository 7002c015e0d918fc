package alarms

import (
	"context"
	"sync"
	"time"
)

// Tracker turns observations ("camera X is offline since T", "camera X
// is fine") into raises and clears: a condition must last its threshold
// before its alarm is raised; one that keeps coming back (FlapCount times
// within FlapWindow) is raised at once; each return while the alarm is
// open counts it up; the alarm clears once the condition has been gone
// for ClearAfter. That keeps a camera flapping twenty times a minute to
// one open alarm with a count, not twenty. Its methods are safe for
// concurrent use (the detector and the diagnosis both report).
type Tracker struct {
	engine *Engine
	opts   TrackerOptions

	mu    sync.Mutex
	watch map[key]*watch
}

// TrackerOptions tune the tracker; zero values take the defaults.
type TrackerOptions struct {
	// Threshold returns how long a condition of typ on camera of station
	// must last before its alarm is raised.
	Threshold func(typ, station, camera string) time.Duration
	// ClearAfter is how long a condition must be gone before its alarm
	// clears. Default 30 s.
	ClearAfter time.Duration
	// FlapCount starts within FlapWindow raise the alarm at once.
	// Defaults 3 and 1 minute.
	FlapCount  int
	FlapWindow time.Duration
}

type watch struct {
	cond    Condition
	present bool
	since   time.Time   // when the condition (this time) began
	goneAt  time.Time   // when it last went away
	starts  []time.Time // beginnings within the flap window
	raised  bool
	detail  string // as the alarm shows it
}

// NewTracker returns a tracker feeding e.
func NewTracker(e *Engine, o TrackerOptions) *Tracker {
	if o.ClearAfter <= 0 {
		o.ClearAfter = 30 * time.Second
	}
	if o.FlapCount <= 0 {
		o.FlapCount = 3
	}
	if o.FlapWindow <= 0 {
		o.FlapWindow = time.Minute
	}
	t := &Tracker{engine: e, opts: o, watch: map[key]*watch{}}
	for _, a := range e.OpenAlarms() { // open before a restart: cleared when found gone
		t.watch[a.key()] = &watch{cond: Condition{Type: a.Type, Camera: a.Camera, Station: a.Station, Subject: a.Subject},
			raised: true, goneAt: e.opts.Now()}
	}
	return t
}

// Present records that c holds at now, having begun at since (zero:
// now, or when it was first seen). starts counts beginnings seen since
// the last observation that the observer could not see as absences (a
// camera that dropped and came back between two polls); 0 means none
// beyond the transition this call may make.
func (t *Tracker) Present(ctx context.Context, now time.Time, c Condition, since time.Time, starts int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.watchOf(c)
	w.cond = c
	began := !w.present
	if began {
		w.present = true
		w.since = since
		if w.since.IsZero() || w.since.After(now) {
			w.since = now
		}
		starts++
	}
	t.began(w, now, starts)
	if w.raised {
		if starts > 0 {
			t.raise(ctx, w, starts)
		} else if c.Detail != w.detail {
			t.refresh(ctx, w)
		}
		return
	}
	threshold := t.opts.Threshold(c.Type, c.Station, c.Camera)
	switch {
	case len(w.starts) >= t.opts.FlapCount:
		t.raise(ctx, w, len(w.starts)) // flapping: the count says how often it began
	case now.Sub(w.since) >= threshold:
		t.raise(ctx, w, 1)
	}
}

// Absent records that c does not hold at now; starts counts returns
// that came and went unseen since the last observation.
func (t *Tracker) Absent(ctx context.Context, now time.Time, c Condition, starts int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.watch[c.key()]
	if !ok && starts == 0 {
		return
	}
	if !ok {
		w = t.watchOf(c)
	}
	if w.present || starts > 0 {
		w.present = false
		w.goneAt = now
	}
	t.began(w, now, starts)
	if w.raised && starts > 0 {
		t.raise(ctx, w, starts)
	} else if !w.raised && len(w.starts) >= t.opts.FlapCount {
		t.raise(ctx, w, len(w.starts)) // flapping, even if it is fine right now
		w.goneAt = now                 // and it clears only after a quiet ClearAfter
	}
	if w.raised && !w.present && now.Sub(w.goneAt) >= t.opts.ClearAfter {
		if err := t.engine.Clear(ctx, w.cond); err != nil {
			t.engine.log.Warn("alarm clear", "type", w.cond.Type, "camera", w.cond.Camera, "err", err)
			return // tried again next observation
		}
		w.raised, w.starts = false, nil // the flaps it counted are its own
	}
	if !w.raised && !w.present && len(w.starts) == 0 {
		delete(t.watch, c.key())
	}
}

func (t *Tracker) watchOf(c Condition) *watch {
	w, ok := t.watch[c.key()]
	if !ok {
		w = &watch{cond: c}
		t.watch[c.key()] = w
	}
	return w
}

// began notes n beginnings at now and forgets those out of the window.
func (t *Tracker) began(w *watch, now time.Time, n int) {
	for range n {
		w.starts = append(w.starts, now)
	}
	keep := w.starts[:0]
	for _, s := range w.starts {
		if now.Sub(s) < t.opts.FlapWindow {
			keep = append(keep, s)
		}
	}
	w.starts = keep
}

// raise raises (or counts up) the alarm n times.
func (t *Tracker) raise(ctx context.Context, w *watch, n int) {
	for range n {
		if _, err := t.engine.Raise(ctx, w.cond); err != nil {
			t.engine.log.Warn("alarm raise", "type", w.cond.Type, "camera", w.cond.Camera, "err", err)
			return // tried again next observation
		}
		w.raised, w.detail = true, w.cond.Detail
	}
}

// refresh shows the condition's new detail on its open alarm (a camera
// offline for another reason now).
func (t *Tracker) refresh(ctx context.Context, w *watch) {
	if err := t.engine.Update(ctx, w.cond); err != nil {
		t.engine.log.Warn("alarm update", "type", w.cond.Type, "camera", w.cond.Camera, "err", err)
		return
	}
	w.detail = w.cond.Detail
}

// watching reports whether the tracker still follows c (present, raised
// or recently flapping).
func (t *Tracker) watching(c Condition) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.watch[c.key()]
	return ok
}
