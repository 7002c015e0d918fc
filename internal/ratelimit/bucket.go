// Package ratelimit holds the token bucket the console's messages and the
// PTZ commands are limited with.
package ratelimit

import "time"

// Bucket is a token bucket: Burst at once, Rate per second after that.
// It is not safe for concurrent use; its owner serializes Take.
type Bucket struct {
	Rate, Burst float64
	tokens      float64
	last        time.Time
}

// Take spends one token; false when none is left.
func (b *Bucket) Take(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.Burst
	} else {
		b.tokens = min(b.Burst, b.tokens+now.Sub(b.last).Seconds()*b.Rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
