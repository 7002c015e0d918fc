package cluster

import (
	"sort"
	"time"

	"vigil/gateway/store"
)

// view is what a node knows of the cluster at one instant.
type view struct {
	me    string
	now   time.Time
	ttl   time.Duration
	nodes map[string]store.Node
	// leases by camera; a camera without an entry has never been owned.
	leases map[string]store.Lease
	// connectedFor is how long this node has reached the store without a
	// failure: a node that just came (back) has not watched long enough to
	// tell a dead owner from one that is renewing.
	connectedFor time.Duration
}

// live reports whether node has sent a heartbeat within the lease period
// and not said goodbye.
func (v view) live(node string) bool {
	if node == v.me {
		return true
	}
	n, ok := v.nodes[node]
	return ok && !n.Stopped && v.now.Sub(n.Heartbeat) < v.ttl
}

// firstLive returns the most preferred live node of a station's list.
func (v view) firstLive(preference []string) string {
	for _, n := range preference {
		if v.live(n) {
			return n
		}
	}
	return ""
}

// toAcquire lists the cameras this node should try to take now. eligible
// maps each camera this node may own to its station's nodes in order of
// preference. A camera is taken
//   - when nobody ever owned it, by the most preferred live node;
//   - when its lease expired and its holder is not live (died, cut off, or
//     handed over in a graceful stop), by the most preferred live node
//     other than the holder, once that node has watched the store for a
//     whole lease period.
//
// A live holder is never displaced, so a preferred node that comes back
// does not take its cameras back from the standby that holds them.
func (v view) toAcquire(eligible map[string][]string) []string {
	var out []string
	for camera, preference := range eligible {
		l, owned := v.leases[camera]
		switch {
		case owned && l.Node == v.me && !v.released(l):
			continue // held; renewals keep it
		case !owned:
			if v.firstLive(preference) == v.me {
				out = append(out, camera)
			}
		case !v.released(l) && (l.ExpiresAt.After(v.now) || v.live(l.Node)):
			continue
		case v.released(l) || v.connectedFor >= v.ttl:
			next := v.firstLiveExcept(preference, l.Node)
			if next == "" {
				next = v.firstLive(preference) // nobody else: the holder itself, back again
			}
			if next == v.me {
				out = append(out, camera)
			}
		}
	}
	sort.Strings(out)
	return out
}

// released reports a lease ended by a graceful stop: the next node need
// not wait to be sure its holder is gone.
func (v view) released(l store.Lease) bool { return l.ExpiresAt.IsZero() }

func (v view) firstLiveExcept(preference []string, holder string) string {
	for _, n := range preference {
		if n != holder && v.live(n) {
			return n
		}
	}
	return ""
}

// nextExpiry returns the earliest expiry after now among leases held by
// others on cameras this node may own: the moment worth waking up for.
func (v view) nextExpiry(eligible map[string][]string) (time.Time, bool) {
	var next time.Time
	for camera := range eligible {
		l, ok := v.leases[camera]
		if !ok || l.Node == v.me || !l.ExpiresAt.After(v.now) {
			continue
		}
		if next.IsZero() || l.ExpiresAt.Before(next) {
			next = l.ExpiresAt
		}
	}
	return next, !next.IsZero()
}
