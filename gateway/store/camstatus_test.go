package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestCameraStatus(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		if _, err := s.GetCameraStatus(ctx, "bjx-nsq-01"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown camera: %v", err)
		}
		for _, c := range []CameraStatus{
			{Camera: "bjx-nsq-01", Node: "bjx-1", Status: json.RawMessage(`{"State":"online"}`)},
			{Camera: "bjx-nsq-01", Node: "bjx-2", Status: json.RawMessage(`{"State":"offline"}`)},
			{Camera: "bjx-nsq-02", Node: "bjx-2", Status: json.RawMessage(`{"State":"online"}`)},
		} {
			if err := s.PutCameraStatus(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetCameraStatus(ctx, "bjx-nsq-01")
		if err != nil || got.Node != "bjx-2" || string(got.Status) != `{"State":"offline"}` || got.UpdatedAt.IsZero() {
			t.Fatalf("get = %+v, %v", got, err)
		}
		all, err := s.ListCameraStatus(ctx)
		if err != nil || len(all) != 2 || all[1].Camera != "bjx-nsq-02" {
			t.Fatalf("list = %+v, %v", all, err)
		}
	})
}
