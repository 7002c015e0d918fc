package gateway

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"vigil/gateway/events"
	"vigil/gateway/store"
	"vigil/streams/hub"
	"vigil/streams/media"
)

// statusShare makes a camera's health the same on every node: the owner
// writes it to the store when it changes and tells the others, who show
// it for cameras they do not pull (the tree's live dots, the camera API).
// A node that relays a camera for its viewers shows what the relay says.
type statusShare struct {
	g      *Gateway
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	sent map[string]sharedStatus // by camera: what this node last wrote
}

// sharedStatus is the part of a hub's status other nodes show: never the
// Detail, which may name the camera's address.
type sharedStatus struct {
	State   hub.State `json:"state"`
	Reason  string    `json:"reason,omitempty"`
	Message string    `json:"message,omitempty"`
	Since   time.Time `json:"since"`
	Codec   string    `json:"codec,omitempty"`
	Width   int       `json:"width,omitempty"`
	Height  int       `json:"height,omitempty"`
}

func shareOf(st hub.Status) sharedStatus {
	return sharedStatus{State: st.State, Reason: st.Reason, Message: st.Message, Since: st.Since,
		Codec: string(st.Track.Codec), Width: st.Track.Width, Height: st.Track.Height}
}

func (s sharedStatus) same(o sharedStatus) bool {
	return s.State == o.State && s.Reason == o.Reason && s.Codec == o.Codec && s.Width == o.Width && s.Height == o.Height
}

// startStatusShare runs the owner side every interval; a single node has
// nothing to share and gets nil.
func startStatusShare(g *Gateway, interval time.Duration) *statusShare {
	if g.member == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &statusShare{g: g, cancel: cancel, done: make(chan struct{}), sent: map[string]sharedStatus{}}
	go s.run(ctx, interval)
	return s
}

func (s *statusShare) run(ctx context.Context, interval time.Duration) {
	defer close(s.done)
	s.applyAll(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.publishOwned(ctx)
		}
	}
}

// publishOwned writes the status of every owned camera that changed.
func (s *statusShare) publishOwned(ctx context.Context) {
	for _, c := range s.g.catalog.Cameras() {
		if !s.g.owns(c.ID) {
			continue
		}
		now := shareOf(c.MainHub.Status())
		s.mu.Lock()
		last, ok := s.sent[c.ID]
		s.mu.Unlock()
		if ok && last.same(now) {
			continue
		}
		b, _ := json.Marshal(now)
		err := s.g.services.store.PutCameraStatus(ctx, store.CameraStatus{Camera: c.ID, Node: s.g.member.Name(), Status: b})
		if err != nil {
			s.g.log.Debug("share camera status", "camera", c.ID, "err", err)
			continue // tried again next tick
		}
		s.mu.Lock()
		s.sent[c.ID] = now
		s.mu.Unlock()
		s.g.bus.Publish(ctx, events.Event{Type: events.TypeCamera, ID: c.ID})
	}
}

// apply shows camera's shared status here unless this node pulls it
// itself (owner) or relays it (the relay's own status is the truth then).
func (s *statusShare) apply(ctx context.Context, camera string) {
	c, ok := s.g.catalog.Camera(camera)
	if !ok || s.g.owns(camera) || s.g.relaying(camera) {
		return
	}
	cs, err := s.g.services.store.GetCameraStatus(ctx, camera)
	if err != nil {
		return
	}
	s.show(c.MainHub, cs)
}

func (s *statusShare) applyAll(ctx context.Context) {
	all, err := s.g.services.store.ListCameraStatus(ctx)
	if err != nil {
		return
	}
	for _, cs := range all {
		if c, ok := s.g.catalog.Camera(cs.Camera); ok && !s.g.owns(cs.Camera) && !s.g.relaying(cs.Camera) {
			s.show(c.MainHub, cs)
		}
	}
}

func (s *statusShare) show(h *hub.Hub, cs store.CameraStatus) {
	var sh sharedStatus
	if json.Unmarshal(cs.Status, &sh) != nil || sh.State == "" {
		return
	}
	st := h.Status()
	st.State, st.Reason, st.Message, st.Since = sh.State, sh.Reason, sh.Message, sh.Since
	st.Track.Codec, st.Track.Width, st.Track.Height = "", sh.Width, sh.Height
	if sh.Codec != "" {
		st.Track.Codec = media.Codec(sh.Codec)
	}
	h.SetStatus(st)
}

func (s *statusShare) close() {
	if s == nil {
		return
	}
	s.cancel()
	<-s.done
}
