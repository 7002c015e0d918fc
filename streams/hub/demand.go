package hub

// A camera that nobody watches live still feeds its GOP cache and its
// recorder, and neither needs a frame the moment it arrives. Reading such
// a camera's socket once per packet costs a wake-up per packet, which is
// most of what an idle camera costs; a source that knows nobody watches
// reads it in batches instead. Watched is how the source knows.

// watch counts the live (not background) readers of a hub and signals
// every change of "watched". It is guarded by the hub's lock.
type watch struct {
	live    int
	changed chan struct{} // closed when watched flips; nil until asked
}

func (w *watch) added(r *Reader) {
	if r.background {
		return
	}
	w.live++
	if w.live == 1 {
		w.flip()
	}
}

func (w *watch) removed(r *Reader) {
	if r.background {
		return
	}
	w.live--
	if w.live == 0 {
		w.flip()
	}
}

func (w *watch) flip() {
	if w.changed != nil {
		close(w.changed)
		w.changed = nil
	}
}

// Watched reports whether a live reader (a viewer, a relay, a transcoder:
// anyone but a background reader) is attached, and returns a channel that
// is closed when that changes.
func (h *Hub) Watched() (bool, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watch.changed == nil {
		h.watch.changed = make(chan struct{})
	}
	return h.watch.live > 0, h.watch.changed
}

// NewBackgroundReader is NewReaderSize for a reader that takes frames a
// batching period late without harm, like a recorder: it does not make
// the hub Watched.
func (h *Hub) NewBackgroundReader(frames int) *Reader { return h.attach(frames, true) }
