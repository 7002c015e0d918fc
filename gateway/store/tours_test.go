package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestTours(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		mine, err := s.CreateTour(ctx, Tour{Owner: "li", Name: "站台轮巡", Dwell: 5 * time.Second,
			Cameras: []string{"bjx-plt-01", "bjx-plt-02"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(mine.ID) != 16 || mine.UpdatedAt.IsZero() {
			t.Fatalf("created = %+v", mine)
		}
		shared, _ := s.CreateTour(ctx, Tour{Owner: "wang", Name: "all squares", Shared: true, Dwell: 10 * time.Second})
		s.CreateTour(ctx, Tour{Owner: "wang", Name: "private", Dwell: time.Second})
		if _, err := s.CreateTour(ctx, Tour{ID: mine.ID, Owner: "x"}); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate id: %v", err)
		}

		s.Close()
		s, err = reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetTour(ctx, mine.ID)
		if err != nil || !reflect.DeepEqual(got, mine) {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, mine)
		}
		list, err := s.ListTours(ctx, "li")
		if err != nil || len(list) != 2 || list[0].ID != shared.ID || list[1].ID != mine.ID {
			t.Fatalf("li sees %+v, %v", list, err)
		}
		if all, _ := s.ListTours(ctx, ""); len(all) != 3 {
			t.Fatalf("all = %d", len(all))
		}

		mine.Name, mine.Dwell, mine.Cameras, mine.Owner, mine.Shared = "晚高峰", 2*time.Second, []string{"bjx-hall-01"}, "mallory", true
		upd, err := s.UpdateTour(ctx, mine)
		if err != nil || upd.Name != "晚高峰" || upd.Dwell != 2*time.Second || upd.Owner != "li" || !upd.Shared ||
			!reflect.DeepEqual(upd.Cameras, []string{"bjx-hall-01"}) {
			t.Fatalf("updated = %+v, %v", upd, err)
		}
		if err := s.DeleteTour(ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetTour(ctx, mine.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if _, err := s.UpdateTour(ctx, mine); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update deleted: %v", err)
		}
		if err := s.DeleteTour(ctx, mine.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete deleted: %v", err)
		}
	})
}
