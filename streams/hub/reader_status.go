package hub

// A reader gets the status changes in their place among the units: after
// the units published before the change, before those published after
// it. Handed out first, as they once were, a reader that was behind read
// "offline" and then the last frames of the stream that had ended: a
// viewer's tile went back to "playing" with the camera down, and a
// recorder, its segment closed by "offline", dropped those frames.

// pendingStatus is a status change a reader has not taken yet. at is the
// reader's count of queued items when it came: it is due once that many
// have been taken or dropped.
type pendingStatus struct {
	status Status
	at     uint64
}

// addStatusLocked queues s. Of a run of changes with no item between them
// the reader keeps the first, what ended the stream it was reading, and
// the last, where the stream stands now; those between concern nothing it
// is given, and dropping them bounds the list while nobody reads.
func (r *Reader) addStatusLocked(s Status) {
	if n := len(r.statuses); n >= 2 && r.statuses[n-2].at == r.queued {
		r.statuses[n-1].status = s
		return
	}
	r.statuses = append(r.statuses, pendingStatus{status: s, at: r.queued})
}

// dropPendingLocked drops the burst and the queued units (the reader
// skips ahead). The status changes among them are not dropped: they are
// due at once, as one run.
func (r *Reader) dropPendingLocked() {
	r.burst = nil
	clear(r.queue)
	r.head, r.length = 0, 0
	r.taken = r.queued
	if n := len(r.statuses); n > 2 {
		r.statuses = append(r.statuses[:1], r.statuses[n-1])
	}
	for i := range r.statuses {
		r.statuses[i].at = r.queued
	}
}
