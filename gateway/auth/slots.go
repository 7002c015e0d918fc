package auth

import (
	"context"
	"sync/atomic"
	"time"
)

// hashSlots bounds concurrent argon2 runs: each takes Params.Memory (64 MiB
// by default), and a burst of logins must not exhaust the gateway's memory
// or its cores. It counts the work, for metrics and for tests of the bound.
type hashSlots struct {
	ch chan struct{}

	checks, hashes, busy atomic.Int64
	running, peak        atomic.Int64
}

// HashStats counts the gateway's argon2 work since start.
type HashStats struct {
	Checks int64 // passwords checked (logins, password changes)
	Hashes int64 // passwords hashed (new users, new passwords)
	Busy   int64 // checks refused because every slot stayed taken
	Peak   int64 // most argon2 runs at the same time
}

func newHashSlots(n int) *hashSlots { return &hashSlots{ch: make(chan struct{}, n)} }

// acquire takes a slot. With wait > 0 it gives up after wait with a busy
// *RateLimitError (a login must not queue behind an attacker's burst);
// with wait 0 it waits as long as ctx allows.
func (h *hashSlots) acquire(ctx context.Context, wait time.Duration) error {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case h.ch <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		h.busy.Add(1)
		return &RateLimitError{RetryAfter: inFlightRetry, Busy: true}
	}
	n := h.running.Add(1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	return nil
}

func (h *hashSlots) release() {
	h.running.Add(-1)
	<-h.ch
}

func (h *hashSlots) stats() HashStats {
	return HashStats{Checks: h.checks.Load(), Hashes: h.hashes.Load(), Busy: h.busy.Load(), Peak: h.peak.Load()}
}
