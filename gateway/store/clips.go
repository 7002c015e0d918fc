package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Clip is an evidence export job and, once done, its file's size and hash.
type Clip struct {
	ID        string
	Camera    string
	From, To  time.Time
	Reason    string
	Exporter  string
	Status    string // set by the exporter, e.g. queued, running, done, failed
	Progress  float64
	Size      int64
	SHA256    string
	Error     string
	CreatedAt time.Time
	// Missing are the parts of From..To that were not recorded (the clip
	// holds the rest).
	Missing []TimeRange
}

// TimeRange is a span of wall-clock time.
type TimeRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

const clipColumns = `id, camera, from_time, to_time, reason, exporter, status, progress, size, sha256, error, created_at, missing`

// CreateClip stores a new export job, assigning an ID when empty and
// CreatedAt when zero; it returns the stored clip.
func (s *Store) CreateClip(ctx context.Context, c Clip) (Clip, error) {
	if c.ID == "" {
		c.ID = newID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	c.CreatedAt = fromMillis(toMillis(c.CreatedAt))
	_, err := s.db.ExecContext(ctx, `INSERT INTO clips (`+clipColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Camera, toMillis(c.From), toMillis(c.To), c.Reason, c.Exporter, c.Status,
		c.Progress, c.Size, c.SHA256, c.Error, toMillis(c.CreatedAt), missingJSON(c.Missing))
	if s.isUniqueViolation(err) {
		return Clip{}, fmt.Errorf("clip %q: %w", c.ID, ErrExists)
	}
	return c, wrap(err, "create clip")
}

// UpdateClip records a job's status, progress, size, hash, error and
// missing ranges.
func (s *Store) UpdateClip(ctx context.Context, c Clip) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE clips SET status = ?, progress = ?, size = ?, sha256 = ?, error = ?, missing = ? WHERE id = ?`,
		c.Status, c.Progress, c.Size, c.SHA256, c.Error, missingJSON(c.Missing), c.ID)
	return wrap(checkAffected(res, err, "clip "+c.ID), "update clip")
}

// GetClip returns one clip; ErrNotFound when there is none.
func (s *Store) GetClip(ctx context.Context, id string) (Clip, error) {
	c, err := scanClip(s.db.QueryRowContext(ctx, `SELECT `+clipColumns+` FROM clips WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Clip{}, fmt.Errorf("clip %q: %w", id, ErrNotFound)
	}
	return c, wrap(err, "get clip %q", id)
}

// ListClips returns the newest clips first, at most limit (0 = 100).
func (s *Store) ListClips(ctx context.Context, limit int) ([]Clip, error) {
	return s.ListClipsOf(ctx, "", limit)
}

// ListClipsOf is ListClips of one exporter; "" lists everyone's.
func (s *Store) ListClipsOf(ctx context.Context, exporter string, limit int) ([]Clip, error) {
	if limit <= 0 {
		limit = 100
	}
	return s.queryClips(ctx, `SELECT `+clipColumns+` FROM clips WHERE ? = '' OR exporter = ?
		ORDER BY created_at DESC, id LIMIT ?`, exporter, exporter, limit)
}

// ClipsWithStatus returns every clip in one of the statuses, oldest first
// (restart recovery: jobs queued or running when the gateway stopped).
func (s *Store) ClipsWithStatus(ctx context.Context, statuses ...string) ([]Clip, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := make([]any, len(statuses))
	for i, st := range statuses {
		args[i] = st
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")
	return s.queryClips(ctx, `SELECT `+clipColumns+` FROM clips WHERE status IN (`+marks+`) ORDER BY created_at, id`, args...)
}

func (s *Store) queryClips(ctx context.Context, query string, args ...any) ([]Clip, error) {
	return queryAll(ctx, s, "list clips", scanClip, query, args...)
}

func scanClip(r scanner) (Clip, error) {
	var c Clip
	var from, to, created int64
	var missing string
	err := r.Scan(&c.ID, &c.Camera, &from, &to, &c.Reason, &c.Exporter, &c.Status,
		&c.Progress, &c.Size, &c.SHA256, &c.Error, &created, &missing)
	if err != nil {
		return Clip{}, err
	}
	c.From, c.To, c.CreatedAt = fromMillis(from), fromMillis(to), fromMillis(created)
	if err := json.Unmarshal([]byte(missing), &c.Missing); err != nil {
		return Clip{}, fmt.Errorf("clip %s: missing ranges: %w", c.ID, err)
	}
	for i := range c.Missing { // millisecond precision and local zone, like the other times
		c.Missing[i] = TimeRange{fromMillis(toMillis(c.Missing[i].From)), fromMillis(toMillis(c.Missing[i].To))}
	}
	if len(c.Missing) == 0 {
		c.Missing = nil
	}
	return c, nil
}

func missingJSON(rs []TimeRange) string {
	if len(rs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(rs) // times only: cannot fail
	return string(b)
}
