package signal

import (
	"sync"
	"time"

	"vigil/gateway/catalog"
	"vigil/streams/hub"
)

// DefaultHealthInterval is how often camera health is polled. Hubs change
// state rarely; half a second keeps consoles current without cost.
const DefaultHealthInterval = 500 * time.Millisecond

// CameraHealth is what consoles are told about a camera's stream.
type CameraHealth struct {
	ID, Station   string
	State, Reason string
	Codec         string
	Width, Height int
	Audio         bool // the camera is sending sound
}

func (c CameraHealth) msg() CameraMsg {
	return CameraMsg{Type: "camera", ID: c.ID, Station: c.Station, State: c.State, Reason: c.Reason,
		Codec: c.Codec, Width: c.Width, Height: c.Height, Audio: c.Audio}
}

// Health polls every camera's main hub and tells subscribers what changed.
// Polling (rather than hooking the hubs) keeps the media path free of
// control-plane callbacks, and a slow subscriber can never stall a source.
type Health struct {
	cat CameraLister

	mu   sync.Mutex
	last map[string]CameraHealth
	subs map[int]func(CameraHealth)
	next int

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// CameraLister lists the cameras whose health is polled (the gateway
// passes its *catalog.Catalog).
type CameraLister interface {
	Cameras() []*catalog.Camera
}

// NewHealth starts polling cat every interval (0: DefaultHealthInterval).
func NewHealth(cat CameraLister, interval time.Duration) *Health {
	if interval <= 0 {
		interval = DefaultHealthInterval
	}
	h := &Health{cat: cat, last: make(map[string]CameraHealth), subs: make(map[int]func(CameraHealth)),
		stop: make(chan struct{}), done: make(chan struct{})}
	h.poll()
	go h.run(interval)
	return h
}

func (h *Health) run(interval time.Duration) {
	defer close(h.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.poll()
		}
	}
}

// poll reads every hub and fans out the changes. Subscribers are called
// outside the lock: they may take their own.
func (h *Health) poll() {
	var changed []CameraHealth
	h.mu.Lock()
	for _, c := range h.cat.Cameras() {
		now := healthOf(c)
		if prev, ok := h.last[c.ID]; !ok || prev != now {
			h.last[c.ID] = now
			if ok {
				changed = append(changed, now)
			}
		}
	}
	subs := make([]func(CameraHealth), 0, len(h.subs))
	for _, fn := range h.subs {
		subs = append(subs, fn)
	}
	h.mu.Unlock()
	for _, ch := range changed {
		for _, fn := range subs {
			fn(ch)
		}
	}
}

func healthOf(c *catalog.Camera) CameraHealth {
	st := c.MainHub.Status()
	audio := c.AudioHub != nil && c.AudioHub.Status().State == hub.StateOnline
	return CameraHealth{ID: c.ID, Station: c.Station, State: string(st.State), Reason: st.Reason,
		Codec: string(st.Track.Codec), Width: st.Track.Width, Height: st.Track.Height, Audio: audio}
}

// Snapshot returns the last polled health of every camera, sorted by id.
func (h *Health) Snapshot() []CameraHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]CameraHealth, 0, len(h.last))
	for _, c := range h.cat.Cameras() {
		if ch, ok := h.last[c.ID]; ok {
			out = append(out, ch)
		}
	}
	return out
}

// Subscribe calls fn with every change until the returned function is
// called. fn runs on the poller's goroutine and must not block.
func (h *Health) Subscribe(fn func(CameraHealth)) (unsubscribe func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.next
	h.next++
	h.subs[id] = fn
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs, id)
	}
}

// Close stops polling and waits for the poller.
func (h *Health) Close() {
	h.once.Do(func() {
		close(h.stop)
		<-h.done
	})
}
