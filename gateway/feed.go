package gateway

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"vigil/streams/hub"
	"vigil/streams/source"
)

// feedMode is what fills a stream's hub on this node.
type feedMode int

const (
	feedNone  feedMode = iota
	feedLocal          // this node owns the camera: pulled from the camera
	feedRelay          // another node owns it and someone here watches: pulled from that node's relay
)

// feed decides, for every stream (path "cam" or "cam/sub"), what fills its
// hub: the camera itself on the node that owns it; the owner's relay on
// any other node while someone there reads the hub, and for linger after
// the last reader left; nothing otherwise. One slot per path runs at most
// one source at a time, the next starting only once the previous ended,
// so a hub never has two publishers, even as ownership moves.
type feed struct {
	slots  *cameraRunners
	local  map[string]*source.Source // by path
	hubs   map[string]*hub.Hub       // by path
	relay  func(path string) *source.Source
	linger time.Duration

	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	owned  map[string]bool      // camera → owned here
	mode   map[string]feedMode  // path → what runs now
	idle   map[string]time.Time // path → when its last reader left (relayed paths)
	dirty  map[string]bool
	relays map[string]*source.Source // path → its relay source, made on first use
	// restart marks relayed paths whose camera changed owner: their pull
	// starts again at once.
	restart map[string]bool
}

// newFeed makes the feed of the given local sources, whose maps it then
// owns; relay makes a path's relay source (nil on a single node, where
// every camera is owned).
func newFeed(local map[string]*source.Source, hubs map[string]*hub.Hub, relay func(string) *source.Source, linger time.Duration) *feed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{slots: newCameraRunners(), local: local, hubs: hubs, relay: relay, linger: linger,
		wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{}),
		owned: map[string]bool{}, mode: map[string]feedMode{}, idle: map[string]time.Time{},
		dirty: map[string]bool{}, relays: map[string]*source.Source{}, restart: map[string]bool{}}
	go f.run(ctx)
	return f
}

// cameraOf returns the camera of a path.
func cameraOf(path string) string { return strings.TrimSuffix(path, "/sub") }

// own and disown record a change of ownership and re-decide the camera's
// streams; neither blocks.
func (f *feed) own(camera string)    { f.setOwned(camera, true) }
func (f *feed) disown(camera string) { f.setOwned(camera, false) }

func (f *feed) setOwned(camera string, owned bool) {
	f.mu.Lock()
	f.owned[camera] = owned
	for _, p := range []string{camera, camera + "/sub"} {
		if _, ok := f.hubs[p]; ok {
			f.dirty[p] = true
		}
	}
	f.mu.Unlock()
	f.poke()
}

// repoint starts the relayed streams of camera again, now, from its new
// owner. Without it a pull that failed against a dead owner waits out the
// backoff those failures built up (seconds after the new owner is
// known); the new attempt resolves the new owner's relay. It does not
// block.
func (f *feed) repoint(camera string) {
	f.mu.Lock()
	for _, p := range []string{camera, camera + "/sub"} {
		if f.mode[p] == feedRelay {
			f.restart[p], f.dirty[p] = true, true
		}
	}
	f.mu.Unlock()
	f.poke()
}

// demand is a hub's OnDemand: its first reader came or its last left.
func (f *feed) demand(path string) {
	f.mu.Lock()
	f.dirty[path] = true
	f.mu.Unlock()
	f.poke()
}

func (f *feed) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// isOwned reports whether this node owns camera.
func (f *feed) isOwned(camera string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.owned[camera]
}

// relaying reports whether camera's main stream comes from another node now.
func (f *feed) relaying(camera string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mode[camera] == feedRelay
}

func (f *feed) run(ctx context.Context) {
	defer close(f.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-timer.C:
		}
		timer.Reset(f.decideDirty())
	}
}

// decideDirty re-decides every path marked dirty and returns when the
// next linger runs out.
func (f *feed) decideDirty() time.Duration {
	f.mu.Lock()
	paths := make([]string, 0, len(f.dirty))
	for p := range f.dirty {
		paths = append(paths, p)
	}
	clear(f.dirty)
	f.mu.Unlock()
	for _, p := range paths {
		f.decide(p)
	}
	return f.nextLinger()
}

// decide sets what fills path now.
func (f *feed) decide(path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	want := feedNone
	h := f.hubs[path]
	if h == nil {
		return // the stream left the config (reload)
	}
	switch readers := h.Readers(); {
	case f.owned[cameraOf(path)]:
		want = feedLocal
	case f.relay == nil:
	case readers > 0:
		want, f.idle[path] = feedRelay, time.Time{}
	case f.mode[path] == feedRelay:
		if f.idle[path].IsZero() {
			f.idle[path] = now
		}
		if now.Sub(f.idle[path]) < f.linger {
			want = feedRelay // lingering: a viewer flipping layouts does not restart it
		}
	}
	restart := f.restart[path] && want == feedRelay
	delete(f.restart, path)
	if f.mode[path] == want && !restart {
		return
	}
	f.mode[path] = want
	f.slots.stop(path)
	if src := f.sourceLocked(path, want); src != nil { // nil: nothing to run
		f.slots.start(path, src.Run)
	}
}

func (f *feed) sourceLocked(path string, mode feedMode) *source.Source {
	switch mode {
	case feedLocal:
		return f.local[path]
	case feedRelay:
		if f.relays[path] == nil {
			f.relays[path] = f.relay(path)
		}
		return f.relays[path]
	}
	return nil
}

// nextLinger returns the wait until the soonest lingering relay may stop.
func (f *feed) nextLinger() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := time.Hour
	for p, since := range f.idle {
		if since.IsZero() || f.mode[p] != feedRelay {
			continue
		}
		f.dirty[p] = true
		next = min(next, max(time.Until(since.Add(f.linger)), time.Millisecond))
	}
	return next
}

// close stops deciding, then every source, and waits for them.
func (f *feed) close() {
	f.cancel()
	<-f.done
	f.slots.close()
}

// relayURL is the URL of path on node's relay, with this node's name and
// the cluster secret as credentials.
func relayURL(relayAddr, self, secret, path string) string {
	u := url.URL{Scheme: "rtsp", User: url.UserPassword(self, secret), Host: relayAddr, Path: "/" + path}
	return u.String()
}

// errNoOwner makes a relay source wait: nobody owns the camera right now
// (a failover in progress); it tries again after its backoff.
var errNoOwner = fmt.Errorf("no node owns the camera now")

// setStream makes src fill path from now on (a camera a reload added or
// changed): a stream running here restarts with it, the slot waiting for
// the previous source to end so that the hub never has two publishers.
func (f *feed) setStream(path string, src *source.Source, h *hub.Hub) {
	f.mu.Lock()
	f.local[path], f.hubs[path] = src, h
	delete(f.relays, path)
	if f.mode[path] == feedLocal {
		f.slots.stop(path)
		f.slots.start(path, src.Run)
	}
	f.dirty[path] = true
	f.mu.Unlock()
	f.poke()
}

// removeStream stops path and forgets it (its camera left the config).
func (f *feed) removeStream(path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slots.stop(path)
	delete(f.local, path)
	delete(f.hubs, path)
	delete(f.mode, path)
	delete(f.idle, path)
	delete(f.dirty, path)
	delete(f.relays, path)
	delete(f.restart, path)
	if cameraOf(path) == path {
		delete(f.owned, path)
	}
}
