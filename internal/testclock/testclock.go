// Package testclock is a time that a test moves on by hand, for code that
// takes its clock as a func() time.Time: what happens after an hour, a
// session's expiry or a frame's due time is then exact on a machine of any
// speed or load.
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable time, safe to read from the code under test's
// goroutines while the test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock showing start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time (pass the method value as the code's clock).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and returns its new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
