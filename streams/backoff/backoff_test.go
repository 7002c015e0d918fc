package backoff

import (
	"testing"
	"time"
)

func TestNominalDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	p := Policy{Min: 250 * time.Millisecond, Max: 5 * time.Second}
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{
		{0, 250 * time.Millisecond},
		{1, 500 * time.Millisecond},
		{2, time.Second},
		{3, 2 * time.Second},
		{4, 4 * time.Second},
		{5, 5 * time.Second}, // 8 s capped
		{6, 5 * time.Second},
		{1000, 5 * time.Second}, // no overflow on long outages
	} {
		if got := p.Nominal(tc.n); got != tc.want {
			t.Errorf("Nominal(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestNominalWithMinAboveMaxIsMax(t *testing.T) {
	t.Parallel()
	p := Policy{Min: 10 * time.Second, Max: time.Second}
	if got := p.Nominal(0); got != time.Second {
		t.Fatalf("Nominal(0) = %v, want the cap 1s", got)
	}
}

// TestWaitStaysWithinTheJitterAndUsesIt draws many waits: every one lies
// within ±25 % of the nominal wait, and the draws cover both ends of the
// range (a jitter that never moves would let cameras retry in lockstep).
func TestWaitStaysWithinTheJitterAndUsesIt(t *testing.T) {
	t.Parallel()
	p := Policy{Min: time.Second, Max: 30 * time.Second}
	for _, n := range []int{0, 3, 10} {
		nominal := p.Nominal(n)
		lo, hi := nominal*3/4, nominal*5/4
		seenLow, seenHigh := false, false
		for range 10000 {
			d := p.Wait(n)
			if d < lo || d > hi {
				t.Fatalf("Wait(%d) = %v, outside [%v, %v]", n, d, lo, hi)
			}
			seenLow = seenLow || d < nominal-nominal/5
			seenHigh = seenHigh || d > nominal+nominal/5
		}
		if !seenLow || !seenHigh {
			t.Fatalf("Wait(%d): 10000 draws never reached both outer tenths of ±25 %% (low %v, high %v)",
				n, seenLow, seenHigh)
		}
	}
}

func TestJitterOfZeroIsZero(t *testing.T) {
	t.Parallel()
	if got := Jitter(0); got != 0 {
		t.Fatalf("Jitter(0) = %v", got)
	}
}
