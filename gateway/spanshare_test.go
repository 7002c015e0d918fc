package gateway

import (
	"testing"
	"time"

	"vigil/streams/segstore"
)

func TestSpansOfMergesAdjacentSegments(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	seg := func(from, to time.Duration) segstore.Segment {
		return segstore.Segment{Camera: "c", Start: t0.Add(from), End: t0.Add(to)}
	}
	got := spansOf([]segstore.Segment{
		seg(0, time.Minute), seg(time.Minute+20*time.Millisecond, 2*time.Minute), // adjacent
		seg(5*time.Minute, 6*time.Minute), // after a gap
	}, "bjx-1")
	if len(got) != 2 || !got[0].End.Equal(t0.Add(2*time.Minute)) || !got[1].Start.Equal(t0.Add(5*time.Minute)) || got[1].Node != "bjx-1" {
		t.Fatalf("spans = %+v", got)
	}
	if spansOf(nil, "n") != nil {
		t.Fatal("spans of nothing")
	}
}
