package transcode

import (
	"context"
	"sync/atomic"
	"time"
)

// Stall detection: ffmpeg is wedged when a write to it has blocked for
// stallTimeout, or when stallUnits units went in since the last output and
// the first of them is stallTimeout old. A few units may rightly stay inside
// (the parser and decoder hold one or two), so a camera that pauses while
// online is not mistaken for a stall.
const (
	stallTimeout = 10 * time.Second
	stallUnits   = 5
)

// watchdog tracks the traffic of one ffmpeg process.
type watchdog struct {
	timeout time.Duration
	writing atomic.Int64 // unix nanos a write began, 0 when none is under way
	pending atomic.Int64 // units written since the last output
	since   atomic.Int64 // unix nanos the first of them was written
}

func (w *watchdog) writeStart(now time.Time) {
	w.writing.Store(now.UnixNano())
	if w.pending.Add(1) == 1 {
		w.since.Store(now.UnixNano())
	}
}

func (w *watchdog) writeDone() { w.writing.Store(0) }

func (w *watchdog) output() { w.pending.Store(0) }

func (w *watchdog) stalled(now time.Time) bool {
	n := now.UnixNano()
	if start := w.writing.Load(); start != 0 && time.Duration(n-start) > w.timeout {
		return true
	}
	return w.pending.Load() >= stallUnits && time.Duration(n-w.since.Load()) > w.timeout
}

// watch cancels the session once ffmpeg stalls.
func (w *watchdog) watch(ctx context.Context, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(min(time.Second, w.timeout/4))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if w.stalled(now) {
				cancel(errStalled)
				return
			}
		}
	}
}
