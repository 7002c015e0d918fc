package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestLayouts(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		mine, err := s.CreateLayout(ctx, Layout{Owner: "li", Name: "早高峰", Station: "bjx", Grid: "2x2",
			Cameras: []string{"bjx-nsq-01", "", "bjx-hall-01"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine.ID) != 16 || mine.UpdatedAt.IsZero() {
			t.Fatalf("created = %+v", mine)
		}
		shared, _ := s.CreateLayout(ctx, Layout{Owner: "wang", Name: "all squares", Shared: true, Grid: "3x3"})
		s.CreateLayout(ctx, Layout{Owner: "wang", Name: "private", Grid: "1"})
		if _, err := s.CreateLayout(ctx, Layout{ID: mine.ID, Owner: "x", Grid: "1"}); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate id: %v", err)
		}

		s.Close()
		s, err = reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetLayout(ctx, mine.ID)
		if err != nil || !reflect.DeepEqual(got, mine) {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, mine)
		}
		list, err := s.ListLayouts(ctx, "li")
		if err != nil || len(list) != 2 || list[0].ID != shared.ID || list[1].ID != mine.ID {
			t.Fatalf("li sees %+v, %v", list, err)
		}
		if all, _ := s.ListLayouts(ctx, ""); len(all) != 3 {
			t.Fatalf("all = %d", len(all))
		}

		mine.Name, mine.Grid, mine.Cameras, mine.Owner = "晚高峰", "1", []string{"bjx-plt-01"}, "mallory"
		upd, err := s.UpdateLayout(ctx, mine)
		if err != nil || upd.Name != "晚高峰" || upd.Grid != "1" || upd.Owner != "li" || len(upd.Cameras) != 1 {
			t.Fatalf("updated = %+v, %v", upd, err)
		}
		if err := s.DeleteLayout(ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetLayout(ctx, mine.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if _, err := s.UpdateLayout(ctx, mine); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update deleted: %v", err)
		}
		if err := s.DeleteLayout(ctx, mine.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete deleted: %v", err)
		}
	})
}
