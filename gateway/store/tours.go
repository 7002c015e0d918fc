package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Tour is a saved tour (轮巡): cameras shown one after the other (or a
// page of them at a time on a grid or wall), each for Dwell. Shared tours
// are visible to every user, like shared layouts.
type Tour struct {
	ID        string
	Owner     string
	Name      string
	Shared    bool
	Dwell     time.Duration // whole seconds
	Cameras   []string
	UpdatedAt time.Time
}

const tourColumns = `id, owner, name, shared, dwell_s, cameras, updated_at`

// CreateTour stores a new tour, assigning an ID when empty.
func (s *Store) CreateTour(ctx context.Context, t Tour) (Tour, error) {
	if t.ID == "" {
		t.ID = newID()
	}
	t.UpdatedAt = fromMillis(toMillis(time.Now()))
	cams, err := marshalList(t.Cameras)
	if err != nil {
		return Tour{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO tours (`+tourColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Owner, t.Name, boolInt(t.Shared), int64(t.Dwell/time.Second), cams, toMillis(t.UpdatedAt))
	if s.isUniqueViolation(err) {
		return Tour{}, fmt.Errorf("tour %q: %w", t.ID, ErrExists)
	}
	if err != nil {
		return Tour{}, fmt.Errorf("create tour: %w", err)
	}
	t.Dwell = t.Dwell.Truncate(time.Second)
	return t, nil
}

// UpdateTour replaces name, shared, dwell and cameras of tour t.ID (the
// owner stays); ErrNotFound when it does not exist.
func (s *Store) UpdateTour(ctx context.Context, t Tour) (Tour, error) {
	cams, err := marshalList(t.Cameras)
	if err != nil {
		return Tour{}, err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE tours SET name = ?, shared = ?, dwell_s = ?, cameras = ?, updated_at = ? WHERE id = ?`,
		t.Name, boolInt(t.Shared), int64(t.Dwell/time.Second), cams, toMillis(time.Now()), t.ID)
	if err := checkAffected(res, err, "tour "+t.ID); err != nil {
		return Tour{}, fmt.Errorf("update tour: %w", err)
	}
	return s.GetTour(ctx, t.ID)
}

// GetTour returns one tour; ErrNotFound when there is none.
func (s *Store) GetTour(ctx context.Context, id string) (Tour, error) {
	t, err := scanTour(s.db.QueryRowContext(ctx, `SELECT `+tourColumns+` FROM tours WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Tour{}, fmt.Errorf("tour %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Tour{}, fmt.Errorf("get tour %q: %w", id, err)
	}
	return t, nil
}

// ListTours returns the tours user may run, his own and shared ones,
// ordered by name; user "" lists all.
func (s *Store) ListTours(ctx context.Context, user string) ([]Tour, error) {
	return queryAll(ctx, s, "list tours", scanTour, `SELECT `+tourColumns+` FROM tours
		WHERE ? = '' OR owner = ? OR shared = 1 ORDER BY name, id`, user, user)
}

// DeleteTour removes a tour; ErrNotFound when there is none.
func (s *Store) DeleteTour(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM tours WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "tour "+id), "delete tour")
}

func scanTour(r scanner) (Tour, error) {
	var (
		t       Tour
		shared  int
		dwell   int64
		cams    string
		updated int64
	)
	if err := r.Scan(&t.ID, &t.Owner, &t.Name, &shared, &dwell, &cams, &updated); err != nil {
		return Tour{}, err
	}
	if err := json.Unmarshal([]byte(cams), &t.Cameras); err != nil {
		return Tour{}, fmt.Errorf("tour %q: cameras: %w", t.ID, err)
	}
	t.Shared, t.Dwell, t.UpdatedAt = shared != 0, time.Duration(dwell)*time.Second, fromMillis(updated)
	return t, nil
}
