package source

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
)

// A pull with ResolveURL follows its stream to another server: the
// resolver is asked again after the first server goes away.
func TestResolveURLFollowsTheStream(t *testing.T) {
	first := startCameras(t, sim.ServerOptions{})
	second := startCameras(t, sim.ServerOptions{})
	var mu sync.Mutex
	target, asked := first.URL("cam0"), 0
	h := hub.New(hub.Options{ID: "cam"})
	src, err := New(Options{ID: "cam", Transport: "tcp", Hub: h, MinBackoff: 50 * time.Millisecond,
		ResolveURL: func(context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			asked++
			if target == "" {
				return "", errors.New("owner unknown")
			}
			return target, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		src.Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	waitStatus(t, h, hub.StateOnline, "")

	mu.Lock()
	target = ""
	mu.Unlock()
	first.Stop()
	waitDetail(t, h, "owner unknown")
	mu.Lock()
	target = second.URL("cam0")
	mu.Unlock()
	r := h.NewReader()
	defer r.Close()
	readUnits(t, r, 5)
	mu.Lock()
	defer mu.Unlock()
	if asked < 3 {
		t.Errorf("resolver asked %d times, want once per attempt", asked)
	}
}

func TestNewChecksURLOnlyWithoutResolver(t *testing.T) {
	h := hub.New(hub.Options{})
	if _, err := New(Options{URL: "not a url", Hub: h}); err == nil {
		t.Error("bad URL accepted")
	}
	if _, err := New(Options{Hub: h, ResolveURL: func(context.Context) (string, error) { return "", nil }}); err != nil {
		t.Errorf("with a resolver: %v", err)
	}
}

// waitDetail waits until the hub's status detail is detail.
func waitDetail(t *testing.T, h *hub.Hub, detail string) {
	t.Helper()
	r := h.NewReader()
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for h.Status().Detail != detail {
		if _, err := r.Read(ctx); err != nil {
			t.Fatalf("status %+v, want detail %q", h.Status(), detail)
		}
	}
}
