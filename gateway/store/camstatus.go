package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CameraStatus is a camera's health as the node that owns it last saw it:
// the other nodes show it for cameras they do not pull themselves.
type CameraStatus struct {
	Camera    string
	Node      string
	Status    json.RawMessage
	UpdatedAt time.Time
}

// PutCameraStatus records camera's status as seen by its owner node.
func (s *Store) PutCameraStatus(ctx context.Context, c CameraStatus) error {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO camera_status (camera, node, status, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(camera) DO UPDATE SET node = excluded.node, status = excluded.status, updated_at = excluded.updated_at`,
		c.Camera, c.Node, string(c.Status), toMillis(c.UpdatedAt))
	return wrap(err, "put status of camera %s", c.Camera)
}

// GetCameraStatus returns camera's last status; ErrNotFound when no owner
// ever reported one.
func (s *Store) GetCameraStatus(ctx context.Context, camera string) (CameraStatus, error) {
	c, err := scanCameraStatus(s.db.QueryRowContext(ctx,
		`SELECT camera, node, status, updated_at FROM camera_status WHERE camera = ?`, camera))
	if errors.Is(err, sql.ErrNoRows) {
		return CameraStatus{}, fmt.Errorf("status of camera %s: %w", camera, ErrNotFound)
	}
	return c, wrap(err, "get status of camera %s", camera)
}

// ListCameraStatus returns every camera's last status.
func (s *Store) ListCameraStatus(ctx context.Context) ([]CameraStatus, error) {
	return queryAll(ctx, s, "list camera status", scanCameraStatus,
		`SELECT camera, node, status, updated_at FROM camera_status ORDER BY camera`)
}

func scanCameraStatus(r scanner) (CameraStatus, error) {
	var c CameraStatus
	var status string
	var updated int64
	err := r.Scan(&c.Camera, &c.Node, &status, &updated)
	c.Status, c.UpdatedAt = json.RawMessage(status), fromMillis(updated)
	return c, err
}
