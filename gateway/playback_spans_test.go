package gateway

import (
	"slices"
	"testing"
	"time"

	"vigil/streams/segstore"
)

// Spans of two nodes (the camera moved between them) and of this node's
// index merge into one list, clipped to the range asked.
func TestRecordingSpansMergeAndClip(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	spans := []segstore.Span{
		{Start: at(10), End: at(20)},
		{Start: at(0), End: at(5)},
		{Start: at(5).Add(time.Second), End: at(8)}, // within spanGap of the one before
		{Start: at(12), End: at(15)},                // inside another
		{Start: at(30), End: at(40)},
	}
	got := clipSpans(mergeSpans(spans), at(2), at(35))
	want := []segstore.Span{{Start: at(2), End: at(8)}, {Start: at(10), End: at(20)}, {Start: at(30), End: at(35)}}
	if !slices.EqualFunc(got, want, func(a, b segstore.Span) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	if got := clipSpans(mergeSpans(spans), at(21), at(29)); len(got) != 0 {
		t.Fatalf("a range with nothing recorded: %v", got)
	}
}
