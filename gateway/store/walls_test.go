package store

import (
	"context"
	"errors"
	"testing"
)

func TestWalls(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		if err := s.EnsureWall(ctx, "main", "主屏"); err != nil {
			t.Fatal(err)
		}
		w, err := s.PutWall(ctx, Wall{ID: "main", Name: "主屏", Layout: WallLayout{Grid: "2x2", Cameras: []string{"bjx-nsq-01"}, LayoutID: "abc"}, UpdatedBy: "op1"})
		if err != nil {
			t.Fatal(err)
		}
		// A restart re-ensures config walls without wiping what they show.
		s.Close()
		s, err = reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.EnsureWall(ctx, "main", "Main wall"); err != nil {
			t.Fatal(err)
		}
		s.EnsureWall(ctx, "hall", "大厅屏")
		got, err := s.GetWall(ctx, "main")
		if err != nil || got.Name != "Main wall" || got.Layout.Grid != "2x2" || got.Layout.LayoutID != "abc" || got.UpdatedBy != "op1" || !got.UpdatedAt.Equal(w.UpdatedAt) {
			t.Fatalf("got %+v, %v", got, err)
		}
		walls, err := s.ListWalls(ctx)
		if err != nil || len(walls) != 2 || walls[0].ID != "hall" || walls[0].Layout.Cameras == nil {
			t.Fatalf("walls = %+v, %v", walls, err)
		}
		if err := s.DeleteWall(ctx, "hall"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetWall(ctx, "hall"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := s.DeleteWall(ctx, "hall"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete deleted: %v", err)
		}
	})
}
