package record

import (
	"time"

	"vigil/streams/backoff"
)

// pauseState is what a writer knows about a disk that refused a write.
// One failure episode logs one pause and one resume: retries back off,
// a full disk is retried only once its free space is back above a
// margin, and recording counts as resumed only when a fragment is on
// disk (a full disk often still takes a new file and its small header).
type pauseState struct {
	paused  bool
	reason  string
	retryAt time.Time
	retries int // failed retries in this episode: the wait doubles with each
}

// retryWait is the wait before the next retry, by the streams' one
// backoff rule (doubling, jittered so cameras on one disk spread out).
func (w *writer) retryWait() time.Duration {
	p := backoff.Policy{Min: w.r.opts.RetryInterval, Max: w.r.opts.MaxRetryInterval}
	return p.Wait(w.pause.retries)
}

// mayRetry reports whether a segment may be opened now.
func (w *writer) mayRetry() bool {
	p := &w.pause
	if !p.paused {
		return true
	}
	if time.Now().Before(p.retryAt) {
		return false
	}
	if p.reason == ReasonDiskFull && !w.spaceForResume() {
		p.retryAt = time.Now().Add(w.retryWait())
		return false
	}
	return true
}

// spaceForResume reports whether the recording directory has
// ResumeFreeBytes free: resuming into the last few kilobytes would only
// fail again at the next fragment.
func (w *writer) spaceForResume() bool {
	free, err := w.r.opts.FS.FreeBytes(w.r.opts.Dir)
	if err != nil {
		return true // cannot tell: let the write itself decide
	}
	return free >= w.r.opts.ResumeFreeBytes
}

// resumed ends a pause once a fragment was written after it.
func (w *writer) resumed() {
	p := &w.pause
	if !p.paused {
		return
	}
	w.r.log.Info("record: disk writable again; recording resumed", "paused_for",
		time.Since(w.r.State().Since).Round(time.Second), "failed_retries", p.retries)
	*p = pauseState{}
	w.r.setState(StateRecording, "", "", w.seg.path)
}

// fail pauses recording after a write error. The segment keeps its
// complete fragments; the reader keeps draining so live view is unaffected.
func (w *writer) fail(err error) {
	if w.seg != nil {
		w.seg.abort()
		if w.seg.seq > 1 {
			w.r.track(w.seg, false)
		}
		w.seg = nil
	}
	clear(w.frag)
	w.frag, w.pending = w.frag[:0], nil
	p := &w.pause
	reason := reasonOf(err)
	log := w.r.log.Error
	if p.paused {
		log = w.r.log.Debug // a retry that failed: the pause was said already
		p.retries++
	}
	p.paused, p.reason = true, reason
	wait := w.retryWait()
	p.retryAt = time.Now().Add(wait)
	log("record: write failed; recording paused", "reason", reason, "err", err, "retry_in", wait)
	w.r.setState(StatePaused, reason, err.Error(), "")
}
