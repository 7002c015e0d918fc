package signal

import (
	"slices"
	"testing"
	"time"

	"vigil/gateway/store"
)

func TestTourRunPages(t *testing.T) {
	tour := store.Tour{Dwell: 2 * time.Second, Cameras: []string{"a", "hidden", "b", "c", "d", "e"}}
	visible := func(id string) bool { return id != "hidden" }
	r := newTourRun(tour, 2, 0, time.Millisecond)
	if r.dwell != 2*time.Millisecond {
		t.Fatalf("dwell %v: 2 units", r.dwell)
	}
	var got [][]string
	for range 4 {
		got = append(got, r.page(visible))
		r.step++
	}
	want := [][]string{{"a", "b"}, {"c", "d"}, {"e"}, {"a", "b"}}
	if !slices.EqualFunc(got, want, slices.Equal) || r.steps != 3 {
		t.Fatalf("pages %v (steps %d), want %v: hidden skipped, last page partial, then wrap", got, r.steps, want)
	}
	if r.page(func(string) bool { return false }) != nil {
		t.Fatal("a tour of no visible camera must have no page")
	}
}

func TestTourRunPauseKeepsTheRestOfTheDwell(t *testing.T) {
	r := newTourRun(store.Tour{Dwell: 10 * time.Second, Cameras: []string{"a"}}, 1, 0, time.Second)
	t0 := time.Unix(1000, 0)
	r.shown(t0)
	if r.isDue(t0.Add(9*time.Second)) || !r.isDue(t0.Add(10*time.Second)) {
		t.Fatal("due after the dwell only")
	}
	r.pause(t0.Add(4 * time.Second))
	if r.isDue(t0.Add(time.Hour)) {
		t.Fatal("a paused tour is never due")
	}
	r.resume(t0.Add(time.Minute))
	if r.isDue(t0.Add(time.Minute+5*time.Second)) || !r.isDue(t0.Add(time.Minute+6*time.Second)) {
		t.Fatal("resumed: the 6 s left of the dwell, not a new one")
	}
}
