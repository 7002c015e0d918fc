package signal

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/internal/testwait"
)

// TestWallTourRunsUnattended: a wall steps through a tour with nobody
// following it; cameras the starter may not see are skipped; a
// dispatcher's put stops the tour, and no step lands after it.
func TestWallTourRunsUnattended(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	walls, err := NewWalls(ctx, st, []WallDef{{ID: "main", Name: "主屏"}})
	if err != nil {
		t.Fatal(err)
	}
	wt := NewWallTours(walls, time.Millisecond, nil)
	defer wt.Close()
	tour := store.Tour{ID: "t1", Name: "站台", Dwell: 2 * time.Second, Cameras: []string{"a", "hidden", "b", "c"}}
	visible := func(id string) bool { return id != "hidden" }
	if err := wt.Start(ctx, "main", "1", tour, func(string) bool { return false }, "li"); !errors.Is(err, ErrNoTourCameras) {
		t.Fatalf("a tour of no visible camera: %v", err)
	}
	if wt.Running("main") != "" {
		t.Fatal("a tour of no visible camera runs")
	}
	ch, unsubscribe := walls.Subscribe("main")
	defer unsubscribe()
	if err := wt.Start(ctx, "main", "1", tour, visible, "zhao"); err != nil {
		t.Fatal(err)
	}
	if wt.Running("main") != "t1" {
		t.Fatalf("running %q", wt.Running("main"))
	}
	// One camera per step on grid 1: a, b and c come round, never hidden.
	seen := map[string]bool{}
	for len(seen) < 3 {
		select {
		case w := <-ch:
			if len(w.Layout.Cameras) != 1 || w.Layout.Cameras[0] == "hidden" || w.Layout.Grid != "1" ||
				w.Layout.Tour != "t1" || w.UpdatedBy != "zhao" {
				t.Fatalf("wall shows %+v by %s", w.Layout, w.UpdatedBy)
			}
			seen[w.Layout.Cameras[0]] = true
		case <-time.After(testwait.Cap):
			t.Fatalf("the wall stopped stepping; seen %v", seen)
		}
	}
	stored, err := st.GetWall(ctx, "main")
	if err != nil || stored.Layout.Tour != "t1" {
		t.Fatalf("stored wall %+v, %v", stored, err)
	}

	if _, err := wt.Put(ctx, "main", store.WallLayout{Grid: "1", Cameras: []string{"b"}}, "li"); err != nil {
		t.Fatal(err)
	}
	if wt.Running("main") != "" {
		t.Fatal("the tour still runs after a dispatcher's put")
	}
	// Put waited for the runner to end: what the dispatcher put stays.
	w, _ := st.GetWall(ctx, "main")
	if w.Layout.Tour != "" || !slices.Equal(w.Layout.Cameras, []string{"b"}) {
		t.Fatalf("after the put: %+v", w.Layout)
	}
}
