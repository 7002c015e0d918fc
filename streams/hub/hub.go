// Package hub fans one camera's access units out to many readers. The
// publisher (the source) never blocks on a reader: each reader has a bounded
// queue, and one that falls behind skips ahead to the next keyframe. The hub
// keeps the current group of pictures so a new reader starts at once from a
// keyframe instead of waiting for the camera's next IDR.
package hub

import (
	"sync"
	"time"

	"vigil/streams/media"
)

// Options configure a Hub. Zero values take the defaults.
type Options struct {
	// ID names the stream (the camera id) in stats and logs.
	ID string
	// QueueFrames is each reader's queue length in access units.
	QueueFrames int
	// MaxGOPFrames and MaxGOPBytes bound the cached group of pictures; a GOP
	// that outgrows them is not cached and new readers wait for the next IDR.
	MaxGOPFrames int
	MaxGOPBytes  int
	// OnDemand, when set, is called (outside the hub's lock) each time the
	// hub gains its first reader or loses its last: whoever feeds the hub
	// only while someone reads it (a relay from another node) reads
	// Readers then. It must not block.
	OnDemand func()
}

const (
	defaultQueueFrames  = 150
	defaultMaxGOPFrames = 400
	defaultMaxGOPBytes  = 24 << 20
)

// Hub is the fan-out point of one camera stream.
type Hub struct {
	opts Options

	mu        sync.Mutex
	status    Status
	gop       []*media.AccessUnit
	gopBytes  int
	gopValid  bool
	synced    bool // a keyframe has arrived since the source (re)connected
	readers   map[*Reader]struct{}
	watch     watch // live readers, for a source that batches while none reads (demand.go)
	meter     rateMeter
	counters  Counters
	lastFrame time.Time
}

// Counters are cumulative totals since the hub was created.
type Counters struct {
	Frames        uint64 // access units published and accepted
	Bytes         uint64
	Keyframes     uint64
	ReaderSkips   uint64 // times a reader fell behind and skipped to a keyframe
	DroppedNoKey  uint64 // units dropped while waiting for the first keyframe
	ReadersOpened uint64
	// Outages counts the times the stream left the online state, so a
	// watcher that polls sees a drop even when the camera was back
	// before it looked.
	Outages uint64
}

// Stats is a snapshot of a hub for status reports and metrics.
type Stats struct {
	Counters
	Readers int
	FPS     float64
	Bitrate float64 // bits per second over the last few full seconds
	// LastFrame is when the last access unit arrived (zero: none yet), so
	// a watcher tells how long a connected camera has sent nothing.
	LastFrame time.Time
}

// New returns a hub with no readers and status "connecting".
func New(opts Options) *Hub {
	if opts.QueueFrames <= 0 {
		opts.QueueFrames = defaultQueueFrames
	}
	if opts.MaxGOPFrames <= 0 {
		opts.MaxGOPFrames = defaultMaxGOPFrames
	}
	if opts.MaxGOPBytes <= 0 {
		opts.MaxGOPBytes = defaultMaxGOPBytes
	}
	return &Hub{
		opts:    opts,
		status:  Status{State: StateConnecting, Since: time.Now()},
		readers: make(map[*Reader]struct{}),
	}
}

// ID returns the stream's id.
func (h *Hub) ID() string { return h.opts.ID }

// Publish hands one access unit to every reader. It never blocks on a
// reader. Until the first keyframe after a (re)connect, non-key units are
// dropped: a decoder cannot use them, and passing them on is what makes the
// grey smear of other gateways.
func (h *Hub) Publish(au *media.AccessUnit) {
	h.mu.Lock()
	defer h.mu.Unlock()

	if au.Key {
		h.gop = h.gop[:0]
		h.gopBytes = 0
		h.gopValid = true
		h.synced = true
		h.counters.Keyframes++
	} else if !h.synced {
		h.counters.DroppedNoKey++
		return
	}
	h.cache(au)

	size := au.Size()
	h.counters.Frames++
	h.counters.Bytes += uint64(size)
	h.meter.add(au.Received, size)
	h.lastFrame = au.Received

	for r := range h.readers {
		if r.push(au) {
			h.counters.ReaderSkips++
		}
	}
}

// cache appends au to the GOP cache, invalidating it when it outgrows the
// limits. An invalid cache keeps accepting frames for readers but offers no
// burst until the next keyframe.
func (h *Hub) cache(au *media.AccessUnit) {
	if !h.gopValid {
		return
	}
	h.gopBytes += au.Size()
	if len(h.gop) >= h.opts.MaxGOPFrames || h.gopBytes > h.opts.MaxGOPBytes {
		h.gopValid = false
		h.gop = h.gop[:0]
		h.gopBytes = 0
		return
	}
	h.gop = append(h.gop, au)
}

// SetStatus records the source's state and tells every reader. Going
// offline or reconnecting discards the cached GOP: the next stream must start
// from its own keyframe.
func (h *Hub) SetStatus(s Status) {
	if s.Since.IsZero() {
		s.Since = time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.status.State == StateOnline && s.State != StateOnline {
		h.counters.Outages++
	}
	if s.State != StateOnline {
		h.gop = h.gop[:0]
		h.gopBytes = 0
		h.gopValid = false
		h.synced = false
		if s.Track.Codec == "" {
			s.Track = h.status.Track
		}
	}
	h.status = s
	for r := range h.readers {
		r.notifyStatus(s)
	}
}

// Status returns the last reported status.
func (h *Hub) Status() Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status
}

// Stats returns a snapshot of the hub's counters and rates.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	fps, bps := h.meter.rates(time.Now())
	return Stats{Counters: h.counters, Readers: len(h.readers), FPS: fps, Bitrate: bps, LastFrame: h.lastFrame}
}

// Keyframe returns the cached GOP's keyframe (parameter sets first), or
// nil when none is cached. It only takes the hub's lock for a moment and
// copies nothing: units are never changed once published. Diagnosis
// looks at pictures this way without being a reader, so it can never
// slow the live path.
func (h *Hub) Keyframe() *media.AccessUnit {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.gopValid || len(h.gop) == 0 {
		return nil
	}
	return h.gop[0]
}

// NewReader attaches a reader. Its first delivery is the cached GOP (a
// burst starting at a keyframe) when there is one; otherwise it waits for
// the next keyframe. The reader's first delivery also carries the status.
func (h *Hub) NewReader() *Reader { return h.NewReaderSize(0) }

// NewReaderSize is NewReader with a queue of frames units (the hub's
// QueueFrames when frames <= 0): a recorder, which must not lose a frame
// to a disk that stalls for a few seconds, queues deeper than a viewer.
func (h *Hub) NewReaderSize(frames int) *Reader { return h.attach(frames, false) }

// attach adds a reader with a queue of frames units; a background reader
// does not count as a viewer for Watched.
func (h *Hub) attach(frames int, background bool) *Reader {
	if frames <= 0 {
		frames = h.opts.QueueFrames
	}
	r := newReader(h, frames)
	r.background = background
	h.mu.Lock()
	h.counters.ReadersOpened++
	h.readers[r] = struct{}{}
	h.watch.added(r)
	r.notifyStatus(h.status)
	r.startFrom(h.burstLocked())
	first := len(h.readers) == 1
	h.mu.Unlock()
	if first && h.opts.OnDemand != nil {
		h.opts.OnDemand()
	}
	return r
}

// Readers returns how many readers are attached now.
func (h *Hub) Readers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.readers)
}

// CachedGOP returns a copy of the cached group of pictures, keyframe
// first (what a new reader starts from), or nil when there is none: for
// a still of what the viewers see now.
func (h *Hub) CachedGOP() []*media.AccessUnit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.burstLocked()
}

// burstLocked returns a copy of the cached GOP, or nil when there is none.
func (h *Hub) burstLocked() []*media.AccessUnit {
	if !h.gopValid || len(h.gop) == 0 {
		return nil
	}
	return append([]*media.AccessUnit(nil), h.gop...)
}

// resync restarts r from the cached GOP, under the hub lock so that no
// frame is lost or repeated between the burst and the live units after it.
func (h *Hub) resync(r *Reader) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.readers[r]; !ok {
		return false
	}
	burst := h.burstLocked()
	r.startFrom(burst)
	return burst != nil
}

func (h *Hub) removeReader(r *Reader) {
	h.mu.Lock()
	_, was := h.readers[r]
	delete(h.readers, r)
	if was {
		h.watch.removed(r)
	}
	last := was && len(h.readers) == 0
	h.mu.Unlock()
	if last && h.opts.OnDemand != nil {
		h.opts.OnDemand()
	}
}
