package segstore

import (
	"context"
	"os"
	"testing"
	"time"

	"vigil/internal/testwait"
)

func TestRetentionByBytesOldestFirst(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var paths []string
	for i := range 5 {
		paths = append(paths, writeSegment(t, root, "cam", t0.Add(time.Duration(i)*2*time.Second), 2, 25, 1000))
	}
	x, _ := Open(Options{Root: root})
	size := x.Segments("cam", t0, t0.Add(time.Hour))[0].Size
	// The newest segment is being written: it must survive any budget.
	last := x.Segments("cam", t0.Add(8*time.Second), t0.Add(time.Hour))[0]
	x.RecordingProgress("cam", last.Path, last.Start, last.End, last.Size, true)

	r := &Retention{Index: x, Default: Limits{MaxBytes: 2*size + size/2}, Now: func() time.Time { return t0 }}
	gone := r.Enforce()
	if len(gone) != 3 || gone[0].Path != paths[0] || gone[2].Path != paths[2] {
		t.Fatalf("deleted %+v, want the three oldest", gone)
	}
	for i, p := range paths {
		_, err := os.Stat(p)
		if exists := err == nil; exists != (i >= 3) {
			t.Fatalf("segment %d exists=%v", i, exists)
		}
	}

	// A budget of zero bytes still keeps the active segment.
	r.Default.MaxBytes = 1
	r.Enforce()
	if segs := x.Segments("cam", t0, t0.Add(time.Hour)); len(segs) != 1 || segs[0].Path != last.Path {
		t.Fatalf("left %+v, want only the active segment", segs)
	}
}

func TestRetentionByAgeAndTotal(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 3 {
		writeSegment(t, root, "old", t0.Add(time.Duration(i)*time.Hour), 1, 25, 1000)
		writeSegment(t, root, "new", t0.Add(time.Duration(i)*time.Hour+time.Minute), 1, 25, 1000)
	}
	x, _ := Open(Options{Root: root})
	now := t0.Add(2*time.Hour + 30*time.Minute)
	r := &Retention{Index: x, Default: Limits{MaxAge: 2 * time.Hour},
		Cameras: map[string]Limits{"new": {}}, Now: func() time.Time { return now }}
	if gone := r.Enforce(); len(gone) != 1 || gone[0].Camera != "old" {
		t.Fatalf("age pass deleted %+v, want old's first hour only", gone)
	}
	u := x.Usage()
	r.MaxTotalBytes = u["old"] + u["new"] - 1
	gone := r.Enforce()
	// The globally oldest is new's first segment (old's first is gone).
	if len(gone) != 1 || gone[0].Camera != "new" || !gone[0].Start.Equal(t0.Add(time.Minute)) {
		t.Fatalf("total pass deleted %+v", gone)
	}
}

func TestRetentionRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	x, _ := Open(Options{Root: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&Retention{Index: x, Interval: time.Millisecond}).Run(ctx)
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(testwait.Cap):
		t.Fatal("Run did not return after cancel")
	}
}
