package hub

import (
	"context"
	"errors"
	"slices"
	"sync"

	"vigil/streams/media"
)

// ErrClosed is returned by Read after the reader was closed.
var ErrClosed = errors.New("hub: reader closed")

// Delivery is what one Read returns: a status change, a burst of cached
// units starting at a keyframe, or one live unit, in the order the hub
// had them.
type Delivery struct {
	// Status is set for a change of the camera's status. It comes after
	// the units published before the change and before those published
	// after it (reader_status.go). Such a delivery carries no units.
	Status *Status
	// Units holds the delivered access units, in order. The slice (not the
	// units) is only valid until the next Read.
	Units []*media.AccessUnit
	// Burst is true when Units is the cached GOP: frames from the past that
	// an output should send as fast as it can, squeezing their timestamps.
	Burst bool
}

// Reader is one consumer of a hub, with its own bounded queue.
type Reader struct {
	hub    *Hub
	signal chan struct{} // capacity 1: "something is waiting"
	// background readers (a recorder) take frames late without harm, so
	// they do not make the hub Watched.
	background bool

	mu       sync.Mutex
	statuses []pendingStatus // oldest first
	// queued counts the items (a burst or a unit) ever queued, taken the
	// items ever taken or dropped: a status is due once every item queued
	// before it is gone.
	queued, taken uint64
	burst         []*media.AccessUnit
	queue         []*media.AccessUnit // ring buffer
	head          int
	length        int
	waitKey       bool
	closed        bool
	skips         uint64
	one           [1]*media.AccessUnit // backs single-unit deliveries without allocating
}

func newReader(h *Hub, queueFrames int) *Reader {
	return &Reader{
		hub:    h,
		signal: make(chan struct{}, 1),
		queue:  make([]*media.AccessUnit, queueFrames),
	}
}

// Read waits for the next delivery. It returns ErrClosed once the reader is
// closed, or the context's error.
func (r *Reader) Read(ctx context.Context) (Delivery, error) {
	for {
		if d, ok, err := r.take(); ok || err != nil {
			return d, err
		}
		select {
		case <-r.signal:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		}
	}
}

// TryRead returns the next delivery if one is waiting, without blocking,
// and false when none is. With Ready it lets a consumer take, at a moment
// of its choosing, everything published before that moment (the recorder
// takes a camera's sound up to the keyframe it cuts a segment at).
func (r *Reader) TryRead() (Delivery, bool, error) {
	return r.take()
}

// Ready receives when a delivery may be waiting: a consumer that takes
// with TryRead waits on it once TryRead found nothing.
func (r *Reader) Ready() <-chan struct{} {
	return r.signal
}

func (r *Reader) take() (Delivery, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return Delivery{}, false, ErrClosed
	case len(r.statuses) > 0 && r.statuses[0].at <= r.taken:
		s := r.statuses[0].status
		r.statuses = slices.Delete(r.statuses, 0, 1)
		return Delivery{Status: &s}, true, nil
	case len(r.burst) > 0:
		b := r.burst
		r.burst = nil
		r.taken++
		return Delivery{Units: b, Burst: true}, true, nil
	case r.length > 0:
		au := r.queue[r.head]
		r.queue[r.head] = nil
		r.head = (r.head + 1) % len(r.queue)
		r.length--
		r.taken++
		r.one[0] = au
		return Delivery{Units: r.one[:]}, true, nil
	}
	return Delivery{}, false, nil
}

// Resync restarts the reader from the hub's cached GOP, dropping what is
// queued. Outputs call it when a viewer's decoder lost its reference (an
// RTCP PLI or FIR). It reports whether a cached GOP was there; when not, the
// reader resumes at the next keyframe.
func (r *Reader) Resync() bool {
	return r.hub.resync(r)
}

// Skips counts how often this reader fell behind and skipped to a keyframe.
func (r *Reader) Skips() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skips
}

// Close detaches the reader from its hub and wakes a blocked Read.
func (r *Reader) Close() {
	r.hub.removeReader(r)
	r.mu.Lock()
	r.closed = true
	r.dropPendingLocked()
	r.statuses = nil
	r.mu.Unlock()
	r.wake()
}

func (r *Reader) wake() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// startFrom replaces whatever is pending with burst, or, when there is no
// burst, makes the reader wait for the next keyframe. Called under the hub
// lock.
func (r *Reader) startFrom(burst []*media.AccessUnit) {
	r.mu.Lock()
	r.dropPendingLocked()
	if burst != nil {
		r.burst = burst
		r.queued++
	}
	r.waitKey = burst == nil
	r.mu.Unlock()
	if burst != nil {
		r.wake()
	}
}

// notifyStatus queues a status change behind the units queued so far;
// called under the hub lock.
func (r *Reader) notifyStatus(s Status) {
	r.mu.Lock()
	r.addStatusLocked(s)
	r.mu.Unlock()
	r.wake()
}

// push queues au; called under the hub lock. A full queue means the reader
// is behind: everything queued is dropped and the reader waits for the next
// keyframe, so it never decodes a P-frame whose reference it lacks. It
// reports whether the reader had to skip.
func (r *Reader) push(au *media.AccessUnit) (skipped bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	if r.length == len(r.queue) {
		r.dropPendingLocked()
		r.waitKey = true
		r.skips++
		skipped = true
	}
	if r.waitKey {
		if !au.Key {
			return skipped
		}
		r.waitKey = false
	}
	r.queue[(r.head+r.length)%len(r.queue)] = au
	r.length++
	r.queued++
	r.wake()
	return skipped
}
