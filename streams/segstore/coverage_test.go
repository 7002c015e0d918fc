package segstore

import (
	"testing"
	"time"
)

func TestCoverageJoinsAdjacentSegments(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	x := &Index{cams: map[string][]Segment{"c": {
		{Start: t0, End: t0.Add(time.Minute)},
		{Start: t0.Add(time.Minute + 20*time.Millisecond), End: t0.Add(2 * time.Minute)}, // adjacent
		{Start: t0.Add(5 * time.Minute), End: t0.Add(6 * time.Minute)},                   // after a gap
	}}}
	got := x.Coverage("c", 2*time.Second)
	if len(got) != 2 || !got[0].End.Equal(t0.Add(2*time.Minute)) || !got[1].Start.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("coverage = %+v", got)
	}
	if x.Coverage("none", time.Second) != nil {
		t.Fatal("coverage of an unknown camera")
	}
}
