package store

import (
	"context"
	"testing"
	"time"
)

func TestRecordingSpans(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		span := func(from, to int) RecordingSpan {
			return RecordingSpan{Start: t0.Add(time.Duration(from) * time.Minute), End: t0.Add(time.Duration(to) * time.Minute)}
		}
		put := func(node string, spans ...RecordingSpan) {
			t.Helper()
			if err := s.ReplaceRecordingSpans(ctx, "bjx-nsq-01", node, spans); err != nil {
				t.Fatal(err)
			}
		}
		put("bjx-1", span(0, 1))
		put("bjx-1", span(0, 2)) // the segment grew
		put("bjx-2", span(3, 5)) // after the failover
		got, err := s.RecordingSpans(ctx, "bjx-nsq-01", t0.Add(90*time.Second), t0.Add(4*time.Minute))
		if err != nil || len(got) != 2 || got[0].Node != "bjx-1" || !got[0].End.Equal(t0.Add(2*time.Minute)) || got[1].Node != "bjx-2" {
			t.Fatalf("spans = %+v, %v", got, err)
		}
		if got, _ := s.RecordingSpans(ctx, "bjx-nsq-01", t0.Add(2*time.Minute), t0.Add(3*time.Minute)); len(got) != 0 {
			t.Fatalf("the gap has spans: %+v", got)
		}
		put("bjx-1") // retention removed all of it
		if got, _ := s.RecordingSpans(ctx, "bjx-nsq-01", t0, t0.Add(time.Hour)); len(got) != 1 || got[0].Node != "bjx-2" {
			t.Fatalf("after delete: %+v", got)
		}
	})
}
