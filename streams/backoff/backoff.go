// Package backoff is the one retry rule of the streams packages: a wait
// that doubles from a minimum up to a cap, spread by a random jitter so
// that hundreds of cameras or transcoders hit by the same fault do not
// retry in the same instant.
package backoff

import (
	"math/rand/v2"
	"time"
)

// JitterPercent is the spread around every wait: ±25 %. Wide enough that
// retries after a switch reboot are spread over half the wait.
const JitterPercent = 25

// Policy doubles the wait from Min up to Max.
type Policy struct {
	Min, Max time.Duration
}

// Nominal returns the wait before retry n (0-based) without jitter: Min
// doubled n times, never more than Max.
func (p Policy) Nominal(n int) time.Duration {
	d := p.Min
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Wait returns the wait before retry n (0-based): Nominal(n) with jitter.
func (p Policy) Wait(n int) time.Duration {
	return Jitter(p.Nominal(n))
}

// Jitter returns d moved by a uniformly random amount within ±JitterPercent.
func Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := d * JitterPercent / 100
	return d - spread + time.Duration(rand.Int64N(int64(2*spread)+1))
}
