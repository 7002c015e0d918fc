package segstore

import "time"

// Locks are the ranges of each camera's recording under evidence lock:
// retention never deletes a segment that overlaps one.
type Locks map[string][]Span

// Holds reports whether seg overlaps a locked range of its camera. The
// ends count: a point lock (Start == End) on a segment's first or last
// instant holds it.
func (l Locks) Holds(seg Segment) bool {
	for _, sp := range l[seg.Camera] {
		if !seg.Start.After(sp.End) && !seg.End.Before(sp.Start) {
			return true
		}
	}
	return false
}

// LockedUsage returns the bytes of each camera's segments that locks hold
// (only cameras with some), for the console's "how much is locked".
func (x *Index) LockedUsage(locks Locks) map[string]int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]int64)
	for cam := range locks {
		for _, s := range x.cams[cam] {
			if locks.Holds(s) {
				out[cam] += s.Size
			}
		}
	}
	return out
}

// lockedAt is what a retention pass knows of the locks: the latest answer
// of Retention.Locked, or the last good one when it fails (a database
// outage must not unlock evidence), or nothing known at all (ok false).
func (r *Retention) lockedAt() (locks Locks, ok bool) {
	if r.Locked == nil {
		return nil, true
	}
	l, err := r.Locked()
	if err != nil {
		if r.lastLocks == nil {
			r.logger().Error("segstore: retention skipped: the evidence locks cannot be read", "err", err)
			return nil, false
		}
		r.logger().Warn("segstore: evidence locks cannot be read; keeping the last known", "err", err,
			"as_of", r.lastLocksAt)
		return r.lastLocks, true
	}
	r.lastLocks, r.lastLocksAt = l, time.Now()
	return l, true
}
