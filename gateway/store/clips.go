package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
}

const clipColumns = `id, camera, from_time, to_time, reason, exporter, status, progress, size, sha256, error, created_at`

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
	_, err := s.db.ExecContext(ctx, `INSERT INTO clips (`+clipColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Camera, toMillis(c.From), toMillis(c.To), c.Reason, c.Exporter, c.Status,
		c.Progress, c.Size, c.SHA256, c.Error, toMillis(c.CreatedAt))
	if isUniqueViolation(err) {
		return Clip{}, fmt.Errorf("clip %q: %w", c.ID, ErrExists)
	}
	return c, wrap(err, "create clip")
}

// UpdateClip records a job's status, progress, size, hash and error.
func (s *Store) UpdateClip(ctx context.Context, c Clip) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE clips SET status = ?, progress = ?, size = ?, sha256 = ?, error = ? WHERE id = ?`,
		c.Status, c.Progress, c.Size, c.SHA256, c.Error, c.ID)
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
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+clipColumns+` FROM clips ORDER BY created_at DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list clips: %w", err)
	}
	defer rows.Close()
	var out []Clip
	for rows.Next() {
		c, err := scanClip(rows)
		if err != nil {
			return nil, fmt.Errorf("list clips: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanClip(r scanner) (Clip, error) {
	var c Clip
	var from, to, created int64
	err := r.Scan(&c.ID, &c.Camera, &from, &to, &c.Reason, &c.Exporter, &c.Status,
		&c.Progress, &c.Size, &c.SHA256, &c.Error, &created)
	if err != nil {
		return Clip{}, err
	}
	c.From, c.To, c.CreatedAt = fromMillis(from), fromMillis(to), fromMillis(created)
	return c, nil
}
