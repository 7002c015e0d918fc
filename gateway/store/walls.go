package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Wall is a video wall and what it currently shows.
type Wall struct {
	ID        string
	Name      string
	Layout    WallLayout
	UpdatedBy string // who last set the layout
	UpdatedAt time.Time
}

// storedWallLayout is the layout column: the layout and who set it, kept
// together in the JSON so that no schema change was needed for UpdatedBy.
type storedWallLayout struct {
	WallLayout
	UpdatedBy string `json:"updated_by,omitempty"`
}

// WallLayout is what a wall shows: a grid and its cameras, and the saved
// layout it came from, if any.
type WallLayout struct {
	Grid     string   `json:"grid"`
	Cameras  []string `json:"cameras"`
	LayoutID string   `json:"layout_id,omitempty"`
	// Tour is the tour the wall runs, stepping through its cameras.
	Tour string `json:"tour,omitempty"`
}

// PutWall creates or replaces a wall and returns it as stored.
func (s *Store) PutWall(ctx context.Context, w Wall) (Wall, error) {
	w.UpdatedAt = fromMillis(toMillis(time.Now()))
	if w.Layout.Cameras == nil {
		w.Layout.Cameras = []string{}
	}
	layout, err := json.Marshal(storedWallLayout{w.Layout, w.UpdatedBy})
	if err != nil {
		return Wall{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO walls (id, name, layout, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, layout = excluded.layout, updated_at = excluded.updated_at`,
		w.ID, w.Name, string(layout), toMillis(w.UpdatedAt))
	if err != nil {
		return Wall{}, fmt.Errorf("put wall %q: %w", w.ID, err)
	}
	return w, nil
}

// EnsureWall creates the wall if missing and otherwise only renames it, so
// the walls of the config exist without losing what they show on restart.
func (s *Store) EnsureWall(ctx context.Context, id, name string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO walls (id, name, layout, updated_at) VALUES (?, ?, '{"grid":"","cameras":[]}', ?)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name`, id, name, toMillis(time.Now()))
	return wrap(err, "ensure wall %q", id)
}

// GetWall returns one wall; ErrNotFound when there is none.
func (s *Store) GetWall(ctx context.Context, id string) (Wall, error) {
	w, err := scanWall(s.db.QueryRowContext(ctx, `SELECT id, name, layout, updated_at FROM walls WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Wall{}, fmt.Errorf("wall %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Wall{}, fmt.Errorf("get wall %q: %w", id, err)
	}
	return w, nil
}

// ListWalls returns all walls ordered by id.
func (s *Store) ListWalls(ctx context.Context) ([]Wall, error) {
	return queryAll(ctx, s, "list walls", scanWall, `SELECT id, name, layout, updated_at FROM walls ORDER BY id`)
}

// DeleteWall removes a wall; ErrNotFound when there is none.
func (s *Store) DeleteWall(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM walls WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "wall "+id), "delete wall")
}

func scanWall(r scanner) (Wall, error) {
	var w Wall
	var layout string
	var updated int64
	if err := r.Scan(&w.ID, &w.Name, &layout, &updated); err != nil {
		return Wall{}, err
	}
	var stored storedWallLayout
	if err := json.Unmarshal([]byte(layout), &stored); err != nil {
		return Wall{}, fmt.Errorf("wall %q: layout: %w", w.ID, err)
	}
	w.Layout, w.UpdatedBy = stored.WallLayout, stored.UpdatedBy
	w.UpdatedAt = fromMillis(updated)
	return w, nil
}
