package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestClips(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		from := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		c, err := s.CreateClip(ctx, Clip{Camera: "bjx-nsq-01", From: from, To: from.Add(5 * time.Minute),
			Reason: "incident 42", Exporter: "li", Status: "queued"})
		if err != nil {
			t.Fatal(err)
		}
		c.Status, c.Progress, c.Size, c.SHA256 = "done", 1, 12345, "ab12"
		if err := s.UpdateClip(ctx, c); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetClip(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(got, c) {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, c)
		}
		if list, err := s.ListClips(ctx, 0); err != nil || len(list) != 1 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if _, err := s.GetClip(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		if err := s.UpdateClip(ctx, Clip{ID: "nope"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
	})
}

func TestClipsMissingOwnerAndStatus(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		defer s.Close()
		from := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		gap := []TimeRange{{from.Add(time.Minute), from.Add(90 * time.Second)}}
		a, err := s.CreateClip(ctx, Clip{Camera: "c", From: from, To: from.Add(5 * time.Minute), Exporter: "li", Status: "queued"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateClip(ctx, Clip{Camera: "c", From: from, To: from.Add(time.Minute), Exporter: "wang", Status: "running"}); err != nil {
			t.Fatal(err)
		}
		a.Status, a.Missing = "done", gap
		if err := s.UpdateClip(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetClip(ctx, a.ID)
		if err != nil || len(got.Missing) != 1 || !got.Missing[0].From.Equal(gap[0].From) || !got.Missing[0].To.Equal(gap[0].To) {
			t.Fatalf("missing = %+v, %v", got.Missing, err)
		}
		if own, err := s.ListClipsOf(ctx, "li", 0); err != nil || len(own) != 1 || own[0].ID != a.ID {
			t.Fatalf("li's clips = %+v, %v", own, err)
		}
		if all, err := s.ListClipsOf(ctx, "", 0); err != nil || len(all) != 2 {
			t.Fatalf("all clips = %+v, %v", all, err)
		}
		if run, err := s.ClipsWithStatus(ctx, "queued", "running"); err != nil || len(run) != 1 || run[0].Exporter != "wang" {
			t.Fatalf("queued or running = %+v, %v", run, err)
		}
	})
}
