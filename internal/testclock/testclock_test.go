package testclock

import (
	"sync"
	"testing"
	"time"
)

// The clock shows its start, moves only when advanced, and may be read
// from other goroutines meanwhile (-race checks that).
func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	c := New(start)
	if !c.Now().Equal(start) {
		t.Fatalf("new clock shows %v", c.Now())
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 100 {
			if c.Now().Before(start) {
				t.Error("the clock went back")
			}
		}
	})
	for range 100 {
		c.Advance(time.Millisecond)
	}
	wg.Wait()
	if got := c.Advance(time.Second); !got.Equal(start.Add(1100 * time.Millisecond)) {
		t.Fatalf("after 100 ms and 1 s: %v", got)
	}
	if !c.Now().Equal(start.Add(1100 * time.Millisecond)) {
		t.Fatalf("Now after Advance: %v", c.Now())
	}
}
