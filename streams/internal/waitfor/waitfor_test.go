package waitfor

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestTrueReturnsWhenTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			n.Add(1)
		}
	}()
	True(t, time.Minute, "three increments", func() bool { return n.Load() == 3 })
	<-done
}

// recorder is a testing.TB that records a failure instead of ending the
// test, so the failure path can be checked.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestTrueFailsNamingWhatItWaitedFor(t *testing.T) {
	r := &recorder{TB: t}
	True(r, 20*time.Millisecond, "a condition that never holds", func() bool { return false })
	if r.failed != "waited 20ms for a condition that never holds" {
		t.Fatalf("failure %q", r.failed)
	}
}

func TestUntilReportsWhetherTheConditionHeld(t *testing.T) {
	if !Until(time.Minute, func() bool { return true }) {
		t.Fatal("a condition that holds reported as not holding")
	}
	if Until(10*time.Millisecond, func() bool { return false }) {
		t.Fatal("a condition that never holds reported as holding")
	}
}
