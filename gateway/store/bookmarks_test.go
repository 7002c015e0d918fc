package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBookmarks(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
		point, err := s.CreateBookmark(ctx, Bookmark{Camera: "bjx-nsq-01", Station: "bjx", From: t0, To: t0, Title: "包", CreatedBy: "disp"})
		if err != nil || point.ID == "" || point.Locked || !point.LockedAt.IsZero() {
			t.Fatalf("create point: %+v, %v", point, err)
		}
		lock, err := s.CreateBookmark(ctx, Bookmark{Camera: "bjx-nsq-01", Station: "bjx", From: t0.Add(time.Hour),
			To: t0.Add(time.Hour + time.Minute), Title: "fight", Note: "platform 5", Locked: true, CreatedBy: "op"})
		if err != nil || lock.LockedBy != "op" || !lock.LockedAt.Equal(lock.CreatedAt) {
			t.Fatalf("create locked: %+v, %v", lock, err)
		}
		other, _ := s.CreateBookmark(ctx, Bookmark{Camera: "bj-x-01", From: t0, To: t0.Add(time.Second), Title: "x", CreatedBy: "op"})

		got, err := s.GetBookmark(ctx, lock.ID)
		if err != nil || got != lock {
			t.Fatalf("get: %+v, %v; want %+v", got, err, lock)
		}
		cases := []struct {
			q    BookmarkQuery
			want []string
		}{
			{BookmarkQuery{Camera: "bjx-nsq-01"}, []string{point.ID, lock.ID}},
			{BookmarkQuery{}, nil}, // every camera: three, checked by count below
			{BookmarkQuery{Camera: "bjx-nsq-01", From: t0.Add(time.Second)}, []string{lock.ID}},
			{BookmarkQuery{Camera: "bjx-nsq-01", To: t0}, []string{point.ID}}, // a point at the end is in
			{BookmarkQuery{Camera: "bjx-nsq-01", From: t0.Add(61 * time.Minute), To: t0.Add(2 * time.Hour)}, []string{lock.ID}},
			{BookmarkQuery{LockedOnly: true}, []string{lock.ID}},
		}
		for i, c := range cases {
			list, err := s.ListBookmarks(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if len(list) != 3 {
					t.Fatalf("case %d: %d bookmarks, want 3", i, len(list))
				}
				continue
			}
			if len(list) != len(c.want) {
				t.Fatalf("case %d: %+v, want %v", i, list, c.want)
			}
			for j := range list {
				if list[j].ID != c.want[j] {
					t.Fatalf("case %d: %+v, want %v", i, list, c.want)
				}
			}
		}

		lock.Locked, lock.Title = false, "fight (reviewed)"
		upd, err := s.UpdateBookmark(ctx, lock)
		if err != nil || upd.Locked || upd.Title != "fight (reviewed)" || upd.LockedBy != "op" || upd.Note != "platform 5" {
			t.Fatalf("update: %+v, %v", upd, err)
		}
		if err := s.DeleteBookmark(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetBookmark(ctx, other.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := s.DeleteBookmark(ctx, other.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete deleted: %v", err)
		}
		if _, err := s.UpdateBookmark(ctx, other); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update deleted: %v", err)
		}
	})
}
