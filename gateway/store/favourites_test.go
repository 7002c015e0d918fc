package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestFavourites(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		for _, cam := range []string{"bjx-plt-01", "bj-zt-01", "bjx-plt-01"} {
			if err := s.AddFavourite(ctx, "li", cam); err != nil {
				t.Fatalf("add %s: %v", cam, err)
			}
		}
		if err := s.AddFavourite(ctx, "wang", "bjn-hall-01"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err := reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.Favourites(ctx, "li")
		if err != nil || !reflect.DeepEqual(got, []string{"bj-zt-01", "bjx-plt-01"}) {
			t.Fatalf("li's favourites = %v, %v (each once, by id)", got, err)
		}
		if err := s.RemoveFavourite(ctx, "li", "bjx-plt-01"); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveFavourite(ctx, "li", "bjx-plt-01"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("remove again: %v", err)
		}
		if err := s.RemoveFavourite(ctx, "li", "bjn-hall-01"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("remove wang's favourite as li: %v", err)
		}
		got, _ = s.Favourites(ctx, "li")
		wang, _ := s.Favourites(ctx, "wang")
		if !reflect.DeepEqual(got, []string{"bj-zt-01"}) || !reflect.DeepEqual(wang, []string{"bjn-hall-01"}) {
			t.Fatalf("after removal li %v, wang %v", got, wang)
		}
		if none, err := s.Favourites(ctx, "nobody"); err != nil || len(none) != 0 {
			t.Fatalf("nobody's favourites = %v, %v", none, err)
		}
	})
}
