// Package waitfor is the one condition wait of the streams and cmd tests:
// a test waits for what it needs to be true, never for a guessed time.
package waitfor

import (
	"testing"
	"time"
)

// pollEvery is how often a condition is checked: often enough not to slow
// a test down, seldom enough to leave a busy machine to the code under test.
const pollEvery = 5 * time.Millisecond

// True returns as soon as cond holds, checking it every few milliseconds.
// within is a failure bound, not a measurement: it is generous, so that a
// busy machine makes a test slower, not red. On timeout the test fails
// naming what it waited for.
func True(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !Until(within, cond) {
		tb.Fatalf("waited %v for %s", within, what)
	}
}

// Until is True for a caller that reports the failure itself (with a
// goroutine dump, say): it returns whether cond held within the bound.
func Until(within time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
			if cond() {
				return true
			}
		}
	}
}
