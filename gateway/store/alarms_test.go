package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAlarms(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		t0 := time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)
		frozen, err := s.PutAlarm(ctx, Alarm{Type: "frozen_image", Camera: "bjx-nsq-01", Station: "bjx",
			State: "active", RaisedAt: t0, Count: 1, Detail: "unchanged 30 s"})
		if err != nil || frozen.ID == "" {
			t.Fatal(frozen, err)
		}
		node, _ := s.PutAlarm(ctx, Alarm{Type: "node_down", Subject: "bjx-2", State: "active", RaisedAt: t0.Add(time.Minute), Count: 1})
		frozen.State, frozen.Count, frozen.AckedBy, frozen.AckedAt, frozen.Note = "acknowledged", 3, "op1", t0.Add(2*time.Minute), "维修已通知"
		if _, err := s.PutAlarm(ctx, frozen); err != nil {
			t.Fatal(err)
		}
		s.AddAlarmEvent(ctx, AlarmEvent{Alarm: frozen.ID, At: t0, Event: "raised"})
		s.AddAlarmEvent(ctx, AlarmEvent{Alarm: frozen.ID, At: t0.Add(2 * time.Minute), Event: "cleared"})
		s.AddAlarmEvent(ctx, AlarmEvent{Alarm: frozen.ID, At: t0.Add(2 * time.Minute), Event: "acknowledged", Actor: "op1"})

		s.Close()
		if s, err = reopen(path); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetAlarm(ctx, frozen.ID)
		if err != nil || got != frozen {
			t.Fatalf("got %+v, %v\nwant %+v", got, err, frozen)
		}
		all, err := s.ListAlarms(ctx, AlarmFilter{})
		if err != nil || len(all) != 2 || all[0].ID != node.ID {
			t.Fatalf("newest first: %+v, %v", all, err)
		}
		for _, c := range []struct {
			f    AlarmFilter
			want int
		}{
			{AlarmFilter{State: "acknowledged"}, 1}, {AlarmFilter{State: StateOpen}, 2}, {AlarmFilter{Station: "bjx", Type: "frozen_image"}, 1},
			{AlarmFilter{Camera: "bjx-nsq-02"}, 0}, {AlarmFilter{From: t0.Add(time.Second)}, 1},
			{AlarmFilter{To: t0}, 1}, {AlarmFilter{Limit: 1}, 1},
		} {
			if got, err := s.ListAlarms(ctx, c.f); err != nil || len(got) != c.want {
				t.Errorf("%+v: %d alarms, %v; want %d", c.f, len(got), err, c.want)
			}
		}
		node.State, node.ClearedAt = "cleared", t0.Add(3*time.Minute)
		s.PutAlarm(ctx, node)
		open, err := s.OpenAlarms(ctx)
		if err != nil || len(open) != 1 || open[0].ID != frozen.ID {
			t.Fatalf("open: %+v, %v", open, err)
		}
		events, err := s.AlarmEvents(ctx, frozen.ID)
		if err != nil || len(events) != 3 || events[1].Event != "acknowledged" || events[1].Actor != "op1" {
			t.Fatalf("events: %+v, %v", events, err)
		}
		if _, err := s.GetAlarm(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing alarm: %v", err)
		}
	})
}
