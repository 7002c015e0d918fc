package source

import (
	"context"
	"time"

	"vigil/streams/backoff"
	"vigil/streams/rtsp"
)

// The reachability probe schedule while a camera is down. A rebooted
// camera is usually back within the first minute, and a viewer waits for
// it: probe fast then. A camera down longer is likely gone for a while,
// and a station with hundreds of dead cameras must not dial them all
// several times a second: slow down to 1 s, then one doubling per further
// minute down, up to maxProbeInterval. backoff.Jitter spreads every wait.
const (
	fastProbeInterval = 200 * time.Millisecond // 150–250 ms with jitter
	fastProbeFor      = time.Minute
	slowProbeInterval = time.Second
	maxProbeInterval  = 10 * time.Second
	// probeTimeout bounds one TCP dial; probes never overlap, so it can
	// be longer than the interval, as a camera behind a slow link needs.
	probeTimeout = time.Second
)

// probeInterval returns the nominal wait before the next reachability
// probe of a camera that has been down for down.
func probeInterval(down time.Duration) time.Duration {
	if down < fastProbeFor {
		return fastProbeInterval
	}
	minutesSlow := int((down - fastProbeFor) / time.Minute)
	return backoff.Policy{Min: slowProbeInterval, Max: maxProbeInterval}.Nominal(minutesSlow)
}

// waitForRetry waits out the backoff, probing the camera's port on the
// schedule of probeInterval, counted from downSince. When the camera was
// unreachable and now answers, it returns at once: the backoff exists to
// spare a camera that answers but fails, not to delay one that has just
// come back. url is the address of the failed attempt; "" (unresolved)
// waits out the backoff. It returns false when ctx ends.
func (s *Source) waitForRetry(ctx context.Context, url string, wait time.Duration, downSince time.Time, wasUnreachable bool) bool {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	probe := time.NewTimer(backoff.Jitter(probeInterval(time.Since(downSince))))
	defer probe.Stop()
	if url == "" {
		probe.Stop()
	}
	down := wasUnreachable
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return true
		case <-probe.C:
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			err := rtsp.Probe(pctx, url)
			cancel()
			if err == nil && down {
				s.log.Info("camera answers again; reconnecting now")
				return true
			}
			down = down || err != nil
			probe.Reset(backoff.Jitter(probeInterval(time.Since(downSince))))
		}
	}
}
