package auth

import (
	"net/netip"
	"sync"
	"time"
)

// limiter counts recent login failures per key (a username or a client
// address) and locks a key out for exponentially longer after threshold
// failures: base, 2×base, 4×base, … up to max. Failures older than forget
// are forgotten, so an honest typo weeks ago costs nothing.
type limiter struct {
	threshold int
	base, max time.Duration
	forget    time.Duration

	mu      sync.Mutex
	entries map[string]*failures
}

type failures struct {
	count int
	last  time.Time // last failure
	until time.Time // locked until
}

// maxEntries triggers pruning of forgotten keys, bounding memory when an
// attacker sprays many usernames or addresses.
const maxEntries = 10_000

func newLimiter(threshold int, base, max time.Duration) *limiter {
	return &limiter{threshold: threshold, base: base, max: max, forget: max, entries: map[string]*failures{}}
}

// retryAfter returns how long key is still locked out, 0 when it is not.
func (l *limiter) retryAfter(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil || !now.Before(e.until) {
		return 0
	}
	return e.until.Sub(now)
}

// fail records a failure for key.
func (l *limiter) fail(key string, now time.Time) {
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
	if now.Sub(e.last) > l.forget {
		e.count = 0
	}
	e.count++
	e.last = now
	if e.count >= l.threshold {
		d := l.max
		if shift := e.count - l.threshold; shift < 32 && l.base<<shift < l.max {
			d = l.base << shift
		}
		e.until = now.Add(d)
	}
}

// reset forgets key's failures after a successful login.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *limiter) prune(now time.Time) {
	for k, e := range l.entries {
		if now.Sub(e.last) > l.forget && !now.Before(e.until) {
			delete(l.entries, k)
		}
	}
}

// clientKey reduces a remote address ("ip:port" or "ip") to the unit that
// is rate limited: the IPv4 address, or the IPv6 /64, since one IPv6 client
// commonly holds a whole /64.
func clientKey(remoteAddr string) string {
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
