package signal

import "time"

// bucket is a token bucket: burst messages at once, rate per second after
// that. Only the read pump uses it.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

// take spends one token; false when none is left.
func (b *bucket) take(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
