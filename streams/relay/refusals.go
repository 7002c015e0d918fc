package relay

import (
	"net"
	"sync"
	"time"
)

// refusals rate-limits the log of refused credentials: a tool with a
// stale token, or someone guessing, retries every few seconds, and each
// line would say the same. One line per client address per period; the
// refusals in between are counted into the next line.
type refusals struct {
	every time.Duration

	mu      sync.Mutex
	byHost  map[string]*refusalCount
	overall uint64
}

type refusalCount struct {
	logged     time.Time
	suppressed int
}

// maxRefusalHosts bounds the memory a spray of addresses can take.
const maxRefusalHosts = 10_000

func newRefusals(every time.Duration) *refusals {
	return &refusals{every: every, byHost: make(map[string]*refusalCount)}
}

// note counts a refusal from remote (host:port) and reports whether to
// log it, with the number of refusals from that host not logged since the
// last line.
func (r *refusals) note(remote string, now time.Time) (log bool, suppressed int) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overall++
	c := r.byHost[host]
	if c == nil {
		if len(r.byHost) >= maxRefusalHosts {
			r.prune(now)
		}
		c = &refusalCount{}
		r.byHost[host] = c
	}
	if !c.logged.IsZero() && now.Sub(c.logged) < r.every {
		c.suppressed++
		return false, 0
	}
	suppressed, c.suppressed, c.logged = c.suppressed, 0, now
	return true, suppressed
}

// prune forgets hosts whose period is over; when none is, it forgets
// all: a flood of addresses gets logged again rather than using memory.
func (r *refusals) prune(now time.Time) {
	for h, c := range r.byHost {
		if now.Sub(c.logged) >= r.every {
			delete(r.byHost, h)
		}
	}
	if len(r.byHost) >= maxRefusalHosts {
		clear(r.byHost)
	}
}

func (r *refusals) total() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overall
}
