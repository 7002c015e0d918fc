package clock

import (
	"testing"
	"time"
)

func TestDurationDoesNotOverflow(t *testing.T) {
	t.Parallel()
	week := int64(7 * 24 * 3600 * 90000)
	if got := Duration(week+45000, 90000); got != 7*24*time.Hour+500*time.Millisecond {
		t.Fatalf("a week of 90 kHz ticks = %v", got)
	}
	if got := Duration(-90000, 90000); got != -time.Second {
		t.Fatalf("-1 s = %v", got)
	}
}

func TestMapStaysMonotonicAcrossJumps(t *testing.T) {
	t.Parallel()
	var c Clock
	t0 := time.Now()
	a := c.Map(0, 90000, t0)
	b := c.Map(-10*90000, 90000, t0.Add(40*time.Millisecond)) // camera clock reset
	if b <= a || c.Rebases() != 1 {
		t.Fatalf("a %v b %v rebases %d", a, b, c.Rebases())
	}
}
