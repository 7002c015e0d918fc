package signal

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/testwait"
)

func TestWallsPersistAndPush(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := NewWalls(ctx, st, []WallDef{{ID: "main", Name: "主屏"}, {ID: "hall", Name: "大厅"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Get(ctx, "nope"); !errors.Is(err, ErrNoWall) {
		t.Fatalf("unknown wall: %v", err)
	}
	if _, err := w.Put(ctx, "nope", store.WallLayout{Grid: "1"}, "op"); !errors.Is(err, ErrNoWall) {
		t.Fatalf("put unknown wall: %v", err)
	}
	ch, cancel := w.Subscribe("main")
	other, cancelOther := w.Subscribe("hall")
	defer cancelOther()

	// A follower that does not read keeps only the newest version.
	w.Put(ctx, "main", store.WallLayout{Grid: "1", Cameras: []string{"a"}}, "op")
	w.Put(ctx, "main", store.WallLayout{Grid: "2x2", Cameras: []string{"a", "b"}}, "op2")
	select {
	case got := <-ch:
		if got.Layout.Grid != "2x2" || got.UpdatedBy != "op2" || got.Name != "主屏" {
			t.Fatalf("pushed %+v", got)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("nothing pushed")
	}
	if len(ch) != 0 || len(other) != 0 {
		t.Fatal("stale or foreign versions pushed")
	}
	cancel()
	w.Put(ctx, "main", store.WallLayout{Grid: "1"}, "op")
	if len(ch) != 0 {
		t.Fatal("pushed after cancel")
	}
	list, err := w.List(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "main" || list[0].Layout.Grid != "1" || list[1].ID != "hall" {
		t.Fatalf("list %+v %v", list, err)
	}
}

func TestBucket(t *testing.T) {
	b := bucket{rate: 50, burst: 100}
	now := time.Now()
	for i := 0; i < 100; i++ {
		if !b.take(now) {
			t.Fatalf("message %d of a burst refused", i)
		}
	}
	if b.take(now) {
		t.Fatal("101st message of a burst accepted")
	}
	now = now.Add(100 * time.Millisecond) // 5 more
	for i := 0; i < 5; i++ {
		if !b.take(now) {
			t.Fatalf("refilled message %d refused", i)
		}
	}
	if b.take(now) {
		t.Fatal("more than the rate accepted")
	}
}

func TestWallsFollowScope(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := NewWalls(context.Background(), st, []WallDef{{ID: "main"}, {ID: "bjx", Stations: []string{"bjx"}},
		{ID: "both", Stations: []string{"bjx", "bjn"}}, {ID: "bjn", Stations: []string{"bjn"}}})
	if err != nil {
		t.Fatal(err)
	}
	all := auth.User{Name: "admin"}
	bjx := auth.User{Name: "li", Stations: []string{"bjx"}}
	for _, tt := range []struct {
		u                     auth.User
		wall                  string
		visible, controllable bool
	}{
		{all, "main", true, true}, {all, "bjn", true, true}, {all, "both", true, true}, {all, "nope", false, false},
		{bjx, "main", true, false}, {bjx, "bjx", true, true}, {bjx, "both", true, false},
		{bjx, "bjn", false, false}, {bjx, "nope", false, false},
	} {
		if got := w.Visible(tt.u, tt.wall); got != tt.visible {
			t.Errorf("Visible(%v, %s) = %v, want %v", tt.u.Stations, tt.wall, got, tt.visible)
		}
		if got := w.Controllable(tt.u, tt.wall); got != tt.controllable {
			t.Errorf("Controllable(%v, %s) = %v, want %v", tt.u.Stations, tt.wall, got, tt.controllable)
		}
	}
}
