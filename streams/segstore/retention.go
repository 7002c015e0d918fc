package segstore

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"
)

// Limits bound one camera's recordings. Zero means no limit.
type Limits struct {
	MaxAge   time.Duration
	MaxBytes int64
}

// Retention deletes old segments, oldest first: per camera by age and by
// bytes, then across cameras by a total byte budget. It never deletes a
// segment being written or exported (the index refuses with ErrBusy), nor
// one under evidence lock (Locked); locked segments still count against
// the budgets, so the others go sooner.
type Retention struct {
	Index *Index
	// Default applies to every camera without an entry in Cameras.
	Default Limits
	Cameras map[string]Limits
	// MaxTotalBytes bounds all cameras together; zero means no limit.
	MaxTotalBytes int64
	// Interval between passes of Run (default one minute).
	Interval time.Duration
	Logger   *slog.Logger
	Now      func() time.Time // for tests; default time.Now
	// Locked returns the evidence locks, asked at each pass; nil: none.
	// When it fails the last good answer holds; before any, the pass is
	// skipped rather than risk deleting evidence.
	Locked func() (Locks, error)

	lastLocks   Locks // lockedAt's memory; Enforce is not run concurrently
	lastLocksAt time.Time
}

// Run enforces retention at once and then every Interval until ctx ends.
func (r *Retention) Run(ctx context.Context) {
	interval := r.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r.Enforce()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Enforce makes one pass and returns the segments it deleted. Calls must
// not overlap (Run makes them one after another).
func (r *Retention) Enforce() []Segment {
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	locks, ok := r.lockedAt()
	if !ok {
		return nil
	}
	var removed []Segment
	all := r.Index.snapshot()
	for cam, segs := range all {
		lim, ok := r.Cameras[cam]
		if !ok {
			lim = r.Default
		}
		keep, gone := r.enforceCamera(segs, lim, now, locks)
		all[cam] = keep
		removed = append(removed, gone...)
	}
	removed = append(removed, r.enforceTotal(all, locks)...)
	if len(removed) > 0 {
		var bytes int64
		for _, s := range removed {
			bytes += s.Size
		}
		r.logger().Info("segstore: retention deleted old recordings", "segments", len(removed), "bytes", bytes,
			"oldest", removed[0].Start)
	}
	return removed
}

// enforceCamera applies one camera's limits, returning what is left.
func (r *Retention) enforceCamera(segs []Segment, lim Limits, now time.Time, locks Locks) (keep, gone []Segment) {
	var total int64
	for _, s := range segs {
		total += s.Size
	}
	keep = segs[:0:0]
	for _, s := range segs { // oldest first
		tooOld := lim.MaxAge > 0 && now.Sub(s.End) > lim.MaxAge
		tooBig := lim.MaxBytes > 0 && total > lim.MaxBytes
		if (tooOld || tooBig) && r.remove(s, locks) {
			total -= s.Size
			gone = append(gone, s)
			continue
		}
		keep = append(keep, s)
	}
	return keep, gone
}

// enforceTotal deletes the oldest segments of any camera until all fit in
// MaxTotalBytes.
func (r *Retention) enforceTotal(all map[string][]Segment, locks Locks) []Segment {
	if r.MaxTotalBytes <= 0 {
		return nil
	}
	var segs []Segment
	var total int64
	for _, s := range all {
		segs = append(segs, s...)
	}
	for _, s := range segs {
		total += s.Size
	}
	slices.SortFunc(segs, func(a, b Segment) int { return a.Start.Compare(b.Start) })
	var gone []Segment
	for _, s := range segs {
		if total <= r.MaxTotalBytes {
			break
		}
		if r.remove(s, locks) {
			total -= s.Size
			gone = append(gone, s)
		}
	}
	return gone
}

// remove deletes s unless a lock holds it or the index refuses (busy).
func (r *Retention) remove(s Segment, locks Locks) bool {
	if locks.Holds(s) {
		return false
	}
	err := r.Index.Remove(s)
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrBusy):
	default:
		r.logger().Warn("segstore: retention could not delete segment", "path", s.Path, "err", err)
	}
	return false
}

func (r *Retention) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}
