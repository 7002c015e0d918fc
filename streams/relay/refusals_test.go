package relay

import (
	"fmt"
	"testing"
	"time"
)

func TestRefusalsLogOncePerAddressPerPeriod(t *testing.T) {
	t.Parallel()
	r := newRefusals(time.Minute)
	t0 := time.Unix(1000, 0)
	if log, _ := r.note("10.0.0.1:5000", t0); !log {
		t.Fatal("first refusal not logged")
	}
	for i := range 3 {
		if log, _ := r.note(fmt.Sprintf("10.0.0.1:%d", 5001+i), t0.Add(time.Second)); log {
			t.Fatal("a refusal from the same host logged within the period")
		}
	}
	if log, _ := r.note("10.0.0.2:5000", t0.Add(time.Second)); !log {
		t.Fatal("another host's first refusal not logged")
	}
	log, suppressed := r.note("10.0.0.1:6000", t0.Add(time.Minute))
	if !log || suppressed != 3 {
		t.Fatalf("after the period: log %v, suppressed %d; want true, 3", log, suppressed)
	}
	if r.total() != 6 {
		t.Fatalf("total %d, want 6", r.total())
	}
}

func TestRefusalsBoundTheirMemory(t *testing.T) {
	t.Parallel()
	r := newRefusals(time.Minute)
	t0 := time.Unix(1000, 0)
	for i := range maxRefusalHosts + 10 {
		r.note(fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255), t0)
	}
	if n := len(r.byHost); n > maxRefusalHosts {
		t.Fatalf("%d hosts remembered, bound %d", n, maxRefusalHosts)
	}
}
