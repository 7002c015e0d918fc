package store

import (
	"context"
	"time"
)

// RecordingSpan is a stretch of a camera's recording held on one node's
// disk: one segment, or several adjacent ones merged.
type RecordingSpan struct {
	Camera     string
	Node       string
	Start, End time.Time
}

// ReplaceRecordingSpans sets what node holds of camera to spans (in one
// transaction: readers never see half of it).
func (s *Store) ReplaceRecordingSpans(ctx context.Context, camera, node string, spans []RecordingSpan) error {
	return wrap(s.inTx(ctx, func(t tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM recording_spans WHERE camera = ? AND node = ?`, camera, node); err != nil {
			return err
		}
		for _, sp := range spans {
			if _, err := t.ExecContext(ctx, `INSERT INTO recording_spans (camera, node, start_time, end_time) VALUES (?, ?, ?, ?)`,
				camera, node, toMillis(sp.Start), toMillis(sp.End)); err != nil {
				return err
			}
		}
		return nil
	}), "replace recording spans of %s", camera)
}

// RecordingSpans returns the spans of camera that overlap [from, to), by
// start.
func (s *Store) RecordingSpans(ctx context.Context, camera string, from, to time.Time) ([]RecordingSpan, error) {
	return queryAll(ctx, s, "recording spans", func(r scanner) (RecordingSpan, error) {
		var sp RecordingSpan
		var start, end int64
		err := r.Scan(&sp.Camera, &sp.Node, &start, &end)
		sp.Start, sp.End = fromMillis(start), fromMillis(end)
		return sp, err
	}, `SELECT camera, node, start_time, end_time FROM recording_spans
		WHERE camera = ? AND end_time > ? AND start_time < ? ORDER BY start_time, node`,
		camera, toMillis(from), toMillis(to))
}
