package record

import "time"

// pauseState is what a writer knows about a disk that refused a write.
// One failure episode logs one pause and one resume: retries back off,
// a full disk is retried only once its free space is back above a
// margin, and recording counts as resumed only when a fragment is on
// disk (a full disk often still takes a new file and its small header).
type pauseState struct {
	paused  bool
	reason  string
	delay   time.Duration // before the next retry; doubles while retries fail
	retryAt time.Time
	retries int // failed retries in this episode, for the resume log
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
		p.retryAt = time.Now().Add(p.delay)
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
		p.delay = min(2*p.delay, w.r.opts.MaxRetryInterval)
	} else {
		p.delay = w.r.opts.RetryInterval
	}
	p.paused, p.reason = true, reason
	p.retryAt = time.Now().Add(p.delay)
	log("record: write failed; recording paused", "reason", reason, "err", err, "retry_in", p.delay)
	w.r.setState(StatePaused, reason, err.Error(), "")
}
