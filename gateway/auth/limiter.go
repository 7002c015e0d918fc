package auth

import (
	"net/netip"
	"sync"
	"time"
)

// limiter counts recent login failures per key (a username, a client
// address, or both) and locks a key out for exponentially longer after
// threshold failures: base, 2×base, 4×base, … up to max. Failures older
// than forget are forgotten, so an honest typo weeks ago costs nothing.
//
// An attempt is reserved before its password is checked and settled after,
// so a burst of concurrent attempts cannot check more passwords than the
// same attempts made one after another: a key admits only as many attempts
// in flight as failures it has left before its lock.
type limiter struct {
	threshold int
	base, max time.Duration
	forget    time.Duration

	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	count   int
	pending int       // attempts reserved and not yet settled
	last    time.Time // last failure
	until   time.Time // locked until
}

// maxEntries triggers pruning of forgotten keys, bounding memory when an
// attacker sprays many usernames or addresses.
const maxEntries = 10_000

func newLimiter(threshold int, base, max time.Duration) *limiter {
	return &limiter{threshold: threshold, base: base, max: max, forget: max, entries: map[string]*failures{}}
}

// reserve admits one attempt for key. It refuses while key is locked
// (retry is the time left) and while the attempts in flight would reach
// the lock if they all failed (retry is 0: wait for them). Once a lock has
// expired, one attempt at a time is admitted, and its failure locks again.
func (l *limiter) reserve(key string, now time.Time) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		if len(l.entries) >= maxEntries {
			l.prune(now)
		}
		e = &failures{}
		l.entries[key] = e
	}
	if now.Before(e.until) {
		return false, e.until.Sub(now)
	}
	if e.pending >= max(l.threshold-l.recent(e, now), 1) {
		return false, 0
	}
	e.pending++
	return true, 0
}

// settle ends an attempt that reserve admitted. A failure is counted; when
// it locks key, settle returns the lock's length.
func (l *limiter) settle(key string, now time.Time, failed bool) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil { // not reserved: prune keeps keys with attempts in flight
		return 0
	}
	e.pending--
	if !failed {
		return 0
	}
	e.count = l.recent(e, now) + 1
	e.last = now
	if e.count < l.threshold {
		return 0
	}
	d := l.max
	if shift := e.count - l.threshold; shift < 32 && l.base<<shift < l.max {
		d = l.base << shift
	}
	e.until = now.Add(d)
	return d
}

// recent is e's failure count, zero once the last failure is forgotten.
func (l *limiter) recent(e *failures, now time.Time) int {
	if now.Sub(e.last) > l.forget {
		return 0
	}
	return e.count
}

// reset forgets key's failures after a successful login.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		return
	}
	if e.pending > 0 {
		e.count, e.until = 0, time.Time{}
		return
	}
	delete(l.entries, key)
}

func (l *limiter) prune(now time.Time) {
	for k, e := range l.entries {
		if e.pending == 0 && now.Sub(e.last) > l.forget && !now.Before(e.until) {
			delete(l.entries, k)
		}
	}
}

// ClientKey reduces a remote address ("ip:port" or "ip") to the unit that
// is rate limited: the IPv4 address, or the IPv6 /64, since one IPv6 client
// commonly holds a whole /64.
func ClientKey(remoteAddr string) string {
	ap, err := netip.ParseAddrPort(remoteAddr)
	addr := ap.Addr()
	if err != nil {
		if addr, err = netip.ParseAddr(remoteAddr); err != nil {
			return remoteAddr
		}
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
