package alarms

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/internal/testclock"
)

func newTestEngine(t *testing.T) (*Engine, *store.Store, *testclock.Clock) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := testclock.New(time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC))
	e, err := NewEngine(context.Background(), Options{Store: st, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return e, st, clk
}

func threshold(d time.Duration) func(string, string, string) time.Duration {
	return func(string, string, string) time.Duration { return d }
}

var offline = Condition{Type: "camera_offline", Camera: "bjx-a-00", Station: "bjx", Detail: "unreachable"}

func openOf(t *testing.T, e *Engine) []Alarm {
	t.Helper()
	list, err := e.List(context.Background(), store.AlarmFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestTrackerThresholdAndClear(t *testing.T) {
	t.Parallel()
	e, _, clk := newTestEngine(t)
	tr := NewTracker(e, TrackerOptions{Threshold: threshold(10 * time.Second), ClearAfter: 30 * time.Second})
	ctx := context.Background()
	start := clk.Now()
	tr.Present(ctx, clk.Now(), offline, start, 0)
	tr.Present(ctx, clk.Advance(9*time.Second), offline, start, 0)
	if n := len(openOf(t, e)); n != 0 {
		t.Fatalf("%d alarms before the threshold", n)
	}
	tr.Present(ctx, clk.Advance(time.Second), offline, start, 0)
	list := openOf(t, e)
	if len(list) != 1 || list[0].Count != 1 || list[0].State != StateActive || !list[0].RaisedAt.Equal(clk.Now()) {
		t.Fatalf("at the threshold: %+v", list)
	}
	tr.Absent(ctx, clk.Advance(time.Second), offline, 0)
	tr.Absent(ctx, clk.Advance(29*time.Second), offline, 0)
	if openOf(t, e)[0].State != StateActive {
		t.Fatal("cleared before ClearAfter")
	}
	tr.Absent(ctx, clk.Advance(time.Second), offline, 0)
	if a := openOf(t, e)[0]; a.State != StateCleared || a.ClearedAt == nil || !a.ClearedAt.Equal(clk.Now()) {
		t.Fatalf("after ClearAfter: %+v", a)
	}
}

// TestTrackerFlapping: twenty drops in a minute, each shorter than the
// threshold, some seen only as counts between looks, are one alarm with
// a count of twenty; once quiet for ClearAfter it clears, and the next
// drop starts afresh.
func TestTrackerFlapping(t *testing.T) {
	t.Parallel()
	e, _, clk := newTestEngine(t)
	tr := NewTracker(e, TrackerOptions{Threshold: threshold(10 * time.Second), ClearAfter: 30 * time.Second})
	ctx := context.Background()
	for i := range 20 {
		if i%4 == 3 { // came and went between two looks
			tr.Absent(ctx, clk.Advance(3*time.Second), offline, 1)
			continue
		}
		tr.Present(ctx, clk.Advance(time.Second), offline, clk.Now(), 0)
		tr.Absent(ctx, clk.Advance(2*time.Second), offline, 0)
	}
	list := openOf(t, e)
	if len(list) != 1 || list[0].Count != 20 || !list[0].Open() {
		t.Fatalf("after 20 drops: %+v", list)
	}
	tr.Absent(ctx, clk.Advance(31*time.Second), offline, 0)
	if a := openOf(t, e)[0]; a.State != StateCleared || a.Count != 20 {
		t.Fatalf("quiet for ClearAfter: %+v", a)
	}
	tr.Present(ctx, clk.Advance(time.Second), offline, clk.Now(), 0)
	tr.Absent(ctx, clk.Advance(time.Second), offline, 0)
	if n := len(openOf(t, e)); n != 1 {
		t.Fatalf("one short drop after the clear made %d alarms, want still 1", n)
	}
}
