// Package testwait is how tests wait: on a condition, polled until it
// holds. It gives up only near the test binary's deadline (or after a
// generous cap), so a busy machine makes a test slower, never red; the
// time a condition took is never asserted.
package testwait

import (
	"testing"
	"time"
)

// Cap bounds a wait when the test has no deadline (go test -timeout 0).
const Cap = 2 * time.Minute

// For polls cond every 10 ms until it holds, failing the test with what
// when the wait runs out.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Until(t, cond) {
		t.Fatalf("gave up waiting for %s", what)
	}
}

// Until polls cond like For and reports whether it came true, for callers
// that fail with a message of their own.
func Until(t testing.TB, cond func() bool) bool {
	t.Helper()
	limit := time.Now().Add(Cap)
	if capOverride > 0 {
		limit = time.Now().Add(capOverride)
	}
	if d, ok := deadline(t); ok && d.Add(-5*time.Second).Before(limit) {
		limit = d.Add(-5 * time.Second)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(limit) {
			return false
		}
		<-tick.C
	}
	return true
}

// capOverride shortens the cap in this package's own test.
var capOverride time.Duration

func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}
