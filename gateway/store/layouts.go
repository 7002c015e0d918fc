package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Layout is a saved console layout: a grid and the cameras in its tiles
// ("" for an empty tile). Shared layouts are visible to every user.
type Layout struct {
	ID        string
	Owner     string
	Name      string
	Shared    bool
	Station   string // "" when not tied to a station
	Grid      string
	Cameras   []string
	UpdatedAt time.Time
}

const layoutColumns = `id, owner, name, shared, station, grid, cameras, updated_at`

// CreateLayout stores a new layout, assigning an ID when empty and setting
// UpdatedAt to now; it returns the stored layout.
func (s *Store) CreateLayout(ctx context.Context, l Layout) (Layout, error) {
	if l.ID == "" {
		l.ID = newID()
	}
	l.UpdatedAt = fromMillis(toMillis(time.Now()))
	cams, err := marshalList(l.Cameras)
	if err != nil {
		return Layout{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO layouts (`+layoutColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.Owner, l.Name, boolInt(l.Shared), l.Station, l.Grid, cams, toMillis(l.UpdatedAt))
	if s.isUniqueViolation(err) {
		return Layout{}, fmt.Errorf("layout %q: %w", l.ID, ErrExists)
	}
	if err != nil {
		return Layout{}, fmt.Errorf("create layout: %w", err)
	}
	return l, nil
}

// UpdateLayout replaces name, shared, station, grid and cameras of layout
// l.ID (the owner stays); ErrNotFound when it does not exist.
func (s *Store) UpdateLayout(ctx context.Context, l Layout) (Layout, error) {
	l.UpdatedAt = fromMillis(toMillis(time.Now()))
	cams, err := marshalList(l.Cameras)
	if err != nil {
		return Layout{}, err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE layouts SET name = ?, shared = ?, station = ?, grid = ?, cameras = ?, updated_at = ? WHERE id = ?`,
		l.Name, boolInt(l.Shared), l.Station, l.Grid, cams, toMillis(l.UpdatedAt), l.ID)
	if err := checkAffected(res, err, "layout "+l.ID); err != nil {
		return Layout{}, fmt.Errorf("update layout: %w", err)
	}
	return s.GetLayout(ctx, l.ID)
}

// GetLayout returns one layout; ErrNotFound when there is none.
func (s *Store) GetLayout(ctx context.Context, id string) (Layout, error) {
	l, err := scanLayout(s.db.QueryRowContext(ctx, `SELECT `+layoutColumns+` FROM layouts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Layout{}, fmt.Errorf("layout %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Layout{}, fmt.Errorf("get layout %q: %w", id, err)
	}
	return l, nil
}

// ListLayouts returns the layouts owner may use, its own and shared ones,
// ordered by name; owner "" lists all.
func (s *Store) ListLayouts(ctx context.Context, owner string) ([]Layout, error) {
	return queryAll(ctx, s, "list layouts", scanLayout, `SELECT `+layoutColumns+` FROM layouts
		WHERE ? = '' OR owner = ? OR shared = 1 ORDER BY name, id`, owner, owner)
}

// DeleteLayout removes a layout; ErrNotFound when there is none.
func (s *Store) DeleteLayout(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM layouts WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "layout "+id), "delete layout")
}

func scanLayout(r scanner) (Layout, error) {
	var (
		l       Layout
		shared  int
		cams    string
		updated int64
	)
	if err := r.Scan(&l.ID, &l.Owner, &l.Name, &shared, &l.Station, &l.Grid, &cams, &updated); err != nil {
		return Layout{}, err
	}
	if err := json.Unmarshal([]byte(cams), &l.Cameras); err != nil {
		return Layout{}, fmt.Errorf("layout %q: cameras: %w", l.ID, err)
	}
	l.Shared, l.UpdatedAt = shared != 0, fromMillis(updated)
	return l, nil
}
