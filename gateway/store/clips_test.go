package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestClips(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
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
	s, err = Open(path)
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
}
