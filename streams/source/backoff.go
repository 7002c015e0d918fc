package source

import (
	"math/rand/v2"
	"time"
)

// backoff returns the wait before full RTSP attempt number n (0-based):
// doubling from min up to max, with ±25 % jitter so that hundreds of
// cameras behind one failed switch do not all retry in the same instant.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}
