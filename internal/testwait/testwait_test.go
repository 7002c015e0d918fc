package testwait

import (
	"sync/atomic"
	"testing"
)

func TestForWaitsForTheCondition(t *testing.T) {
	var n atomic.Int32
	For(t, "three polls", func() bool { return n.Add(1) >= 3 })
	if n.Load() != 3 {
		t.Fatalf("polled %d times", n.Load())
	}
}

func TestUntilGivesUp(t *testing.T) {
	old := capOverride
	capOverride = 1
	defer func() { capOverride = old }()
	if Until(t, func() bool { return false }) {
		t.Fatal("a false condition came true")
	}
}
