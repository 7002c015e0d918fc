package cluster

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// forEachStore runs fn on a fresh SQLite file and a fresh PostgreSQL
// database; open returns another handle on the same one (another node).
func forEachStore(t *testing.T, fn func(t *testing.T, open func() *store.Store)) {
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "vigil.db") },
		"postgres": func(t *testing.T) string { return storetest.FreshDatabase(t) },
	}
	for name, fresh := range engines {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			fn(t, func() *store.Store {
				s, err := store.OpenURL(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// owner records what a member's callbacks say, as the gateway would act.
type owner struct {
	mu    sync.Mutex
	owned map[string]int64
	log   []string
}

func newOwner() *owner { return &owner{owned: map[string]int64{}} }

func (o *owner) options(st *store.Store, node string, ttl time.Duration) Options {
	return Options{
		Store: st, Node: node, Version: "test", Eligible: map[string][]string{
			"bjx-1-cam": {"bjx-1", "bjx-2"}, "bjx-2-cam": {"bjx-1", "bjx-2"},
		},
		TTL: ttl, Renew: ttl / 5, Watch: ttl / 10,
		OnOwn: func(c string, g int64) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.owned[c] = g
			o.log = append(o.log, "own "+c)
		},
		OnLose: func(c string) {
			o.mu.Lock()
			defer o.mu.Unlock()
			delete(o.owned, c)
			o.log = append(o.log, "lose "+c)
		},
	}
}

func (o *owner) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.owned)
}

func (o *owner) generation(c string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.owned[c]
}

func TestFailoverAndNoTakeBack(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() *store.Store) {
		ctx := context.Background()
		ttl := 800 * time.Millisecond
		o1, o2 := newOwner(), newOwner()
		m1, err := Join(ctx, o1.options(open(), "bjx-1", ttl))
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the preferred node owns both cameras", func() bool { return o1.count() == 2 })
		m2, err := Join(ctx, o2.options(open(), "bjx-2", ttl))
		if err != nil {
			t.Fatal(err)
		}
		defer m2.Close()
		waitSteps(t, m2, ttl) // the standby has watched a whole lease period
		if o2.count() != 0 {
			t.Fatalf("the standby took cameras from a live owner: %v", o2.log)
		}

		m1.stop() // dies: no goodbye, its leases run out
		waitFor(t, "the standby owns both cameras", func() bool { return o2.count() == 2 })
		if g := o2.generation("bjx-1-cam"); g != 2 {
			t.Fatalf("generation after failover = %d", g)
		}

		// The preferred node comes back: it must not take them back.
		o3 := newOwner()
		m3, err := Join(ctx, o3.options(open(), "bjx-1", ttl))
		if err != nil {
			t.Fatal(err)
		}
		defer m3.Close()
		waitSteps(t, m3, 2*ttl)
		if o3.count() != 0 || o2.count() != 2 {
			t.Fatalf("after the preferred node came back: it owns %d, standby %d", o3.count(), o2.count())
		}
		snap := m3.Snapshot()
		if len(snap.Cameras) != 2 || snap.Cameras[0].Node != "bjx-2" || !snap.State.Ready {
			t.Fatalf("snapshot = %+v", snap)
		}
	})
}

func TestGracefulStopHandsOverAtOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() *store.Store) {
		ctx := context.Background()
		// A lease period far longer than the test: only a release can
		// move the cameras.
		ttl := time.Hour
		o1, o2 := newOwner(), newOwner()
		opts1 := o1.options(open(), "bjx-1", ttl)
		opts1.Renew, opts1.Watch = 50*time.Millisecond, 50*time.Millisecond
		m1, err := Join(ctx, opts1)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "bjx-1 owns both", func() bool { return o1.count() == 2 })
		opts2 := o2.options(open(), "bjx-2", ttl)
		opts2.Renew, opts2.Watch = 50*time.Millisecond, 50*time.Millisecond
		m2, err := Join(ctx, opts2)
		if err != nil {
			t.Fatal(err)
		}
		defer m2.Close()
		m1.Close()
		if o1.count() != 0 {
			t.Fatal("a closed member still owns cameras")
		}
		waitFor(t, "bjx-2 owns both after the handover", func() bool { return o2.count() == 2 })
	})
}

func TestSecondProcessWithTheSameNameIsRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() *store.Store) {
		ctx := context.Background()
		o := newOwner()
		m, err := Join(ctx, o.options(open(), "bjx-1", 10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		_, err = Join(ctx, o.options(open(), "bjx-1", 10*time.Second))
		if !errors.Is(err, store.ErrNodeLive) {
			t.Fatalf("second bjx-1: %v", err)
		}
	})
}

// waitSteps waits until m has taken at least one step after d has passed.
func waitSteps(t *testing.T, m *Member, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	waitFor(t, "a step after the lease period", func() bool { return time.Now().After(deadline) })
	n := m.steps.Load()
	waitFor(t, "the member's next steps", func() bool { return m.steps.Load() >= n+2 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.For(t, what, cond)
}
