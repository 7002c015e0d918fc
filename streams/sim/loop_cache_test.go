package sim

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

type testSized int

func (s testSized) bytes() int { return int(s) }

func TestLoopCacheSharesAndEvicts(t *testing.T) {
	c := &loopCache{entries: make(map[any]*loopEntry)}
	var builds atomic.Int32
	build := func(size int) func() (sized, error) {
		return func() (sized, error) {
			builds.Add(1)
			return testSized(size), nil
		}
	}
	// Concurrent requests for one key build once.
	var wg sync.WaitGroup
	releases := make([]func(), 8)
	for i := range releases {
		wg.Go(func() {
			_, rel, err := c.acquire("a", build(loopCacheIdleBytes/2))
			if err != nil {
				t.Error(err)
			}
			releases[i] = rel
		})
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("%d builds, want 1", builds.Load())
	}
	for _, r := range releases {
		r()
		r() // idempotent
	}
	// Idle but within budget: kept.
	_, rel, _ := c.acquire("a", build(0))
	rel()
	if builds.Load() != 1 {
		t.Fatal("idle loop rebuilt")
	}
	// Two more idle loops overflow the budget: the oldest goes.
	for _, k := range []string{"b", "c"} {
		_, rel, _ := c.acquire(k, build(loopCacheIdleBytes/2))
		rel()
	}
	if _, ok := c.entries["a"]; ok || c.idle > loopCacheIdleBytes {
		t.Fatalf("after overflow: a kept %v, idle %d", ok, c.idle)
	}
}

func TestLoopCacheRetriesFailures(t *testing.T) {
	c := &loopCache{entries: make(map[any]*loopEntry)}
	boom := errors.New("boom")
	if _, _, err := c.acquire("k", func() (sized, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	v, rel, err := c.acquire("k", func() (sized, error) { return testSized(1), nil })
	if err != nil || v.bytes() != 1 {
		t.Fatalf("retry: %v %v", v, err)
	}
	rel()
}
