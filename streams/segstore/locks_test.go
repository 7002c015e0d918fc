package segstore

import (
	"errors"
	"os"
	"testing"
	"time"
)

// fiveSegments writes five 2-second segments of cam from t0 and opens the
// index over them.
func fiveSegments(t *testing.T) (*Index, []string) {
	t.Helper()
	root := t.TempDir()
	var paths []string
	for i := range 5 {
		paths = append(paths, writeSegment(t, root, "cam", t0.Add(time.Duration(i)*2*time.Second), 2, 25, 1000))
	}
	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return x, paths
}

func left(t *testing.T, paths []string) []bool {
	t.Helper()
	out := make([]bool, len(paths))
	for i, p := range paths {
		_, err := os.Stat(p)
		out[i] = err == nil
	}
	return out
}

func TestRetentionKeepsLockedSegmentsUnderATinyBudget(t *testing.T) {
	t.Parallel()
	x, paths := fiveSegments(t)
	// Locked: a range over segments 1 and 2 (ends inside them), and a point
	// on segment 3's first instant.
	locks := Locks{"cam": {{Start: t0.Add(3 * time.Second), End: t0.Add(5 * time.Second)}, {Start: t0.Add(6 * time.Second), End: t0.Add(6 * time.Second)}}}
	usage := x.Usage()["cam"]
	r := &Retention{Index: x, Default: Limits{MaxBytes: 1, MaxAge: time.Second}, MaxTotalBytes: 1,
		Now: func() time.Time { return t0.Add(time.Hour) }, Locked: func() (Locks, error) { return locks, nil }}
	gone := r.Enforce()
	if len(gone) != 2 || gone[0].Path != paths[0] || gone[1].Path != paths[4] {
		t.Fatalf("deleted %+v, want segments 0 and 4", gone)
	}
	if got := left(t, paths); got[0] || !got[1] || !got[2] || !got[3] || got[4] {
		t.Fatalf("files left %v, want 1, 2, 3", got)
	}
	locked := x.LockedUsage(locks)["cam"]
	if locked == 0 || locked != x.Usage()["cam"] || locked >= usage {
		t.Fatalf("locked %d bytes, usage now %d (was %d)", locked, x.Usage()["cam"], usage)
	}

	// The database fails: the last known locks still hold.
	r.Locked = func() (Locks, error) { return nil, errors.New("database down") }
	if gone := r.Enforce(); len(gone) != 0 {
		t.Fatalf("deleted %+v while the locks could not be read", gone)
	}
	// Unlocked: everything goes.
	r.Locked = func() (Locks, error) { return Locks{}, nil }
	if gone := r.Enforce(); len(gone) != 3 {
		t.Fatalf("deleted %d after the unlock, want 3", len(gone))
	}
}

func TestRetentionSkipsWhenLocksWereNeverRead(t *testing.T) {
	t.Parallel()
	x, paths := fiveSegments(t)
	r := &Retention{Index: x, Default: Limits{MaxBytes: 1}, Locked: func() (Locks, error) { return nil, errors.New("database down") }}
	if gone := r.Enforce(); len(gone) != 0 {
		t.Fatalf("deleted %+v without knowing the locks", gone)
	}
	if got := left(t, paths); got[0] != true || got[4] != true {
		t.Fatalf("files left %v", got)
	}
}

func TestLocksHolds(t *testing.T) {
	t.Parallel()
	seg := Segment{Camera: "cam", Start: t0, End: t0.Add(2 * time.Second)}
	cases := []struct {
		name string
		sp   Span
		want bool
	}{
		{"before", Span{t0.Add(-2 * time.Second), t0.Add(-time.Millisecond)}, false},
		{"touching start", Span{t0.Add(-time.Second), t0}, true},
		{"inside point", Span{t0.Add(time.Second), t0.Add(time.Second)}, true},
		{"covering", Span{t0.Add(-time.Hour), t0.Add(time.Hour)}, true},
		{"touching end", Span{t0.Add(2 * time.Second), t0.Add(3 * time.Second)}, true},
		{"after", Span{t0.Add(2*time.Second + time.Millisecond), t0.Add(time.Hour)}, false},
	}
	for _, c := range cases {
		if got := (Locks{"cam": {c.sp}}).Holds(seg); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if (Locks{"other": {c.sp}}).Holds(seg) {
			t.Errorf("%s: another camera's lock holds", c.name)
		}
	}
}
