package transcode

import (
	"math/rand/v2"
	"time"
)

// Restart backoff after ffmpeg fails: doubling from backoffMin to backoffMax.
// A process that ran for healthyRun before failing starts the count over.
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 5 * time.Second
	healthyRun = 30 * time.Second
)

// backoff returns the wait before restart number n (0-based), with ±20 %
// jitter so that many transcoders hit by the same fault do not restart in
// lockstep.
func backoff(n int) time.Duration {
	d := backoffMin
	for i := 0; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return d + time.Duration(rand.Int64N(int64(d)*2/5+1)) - d/5
}
