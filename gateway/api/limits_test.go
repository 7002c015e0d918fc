package api

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestUserSlotsHoldUnderConcurrency: 200 goroutines of one user racing for
// 5 slots get exactly 5; another user is unaffected; given back, a slot
// can be taken again.
func TestUserSlotsHoldUnderConcurrency(t *testing.T) {
	var slots userSlots
	var got atomic.Int32
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if slots.take("li", 5) {
				got.Add(1)
			}
		}()
	}
	wg.Wait()
	if got.Load() != 5 {
		t.Fatalf("%d slots taken, want 5", got.Load())
	}
	if !slots.take("wang", 5) {
		t.Fatal("another user refused")
	}
	slots.give("li")
	if !slots.take("li", 5) || slots.take("li", 5) {
		t.Fatal("a given-back slot is not taken exactly once")
	}
	for range 5 {
		slots.give("li")
	}
	slots.give("wang")
	if len(slots.held) != 0 {
		t.Fatalf("slots left after all were given back: %v", slots.held)
	}
	if !slots.take("li", 0) {
		t.Fatal("max 0 (no cap) refused")
	}
}
