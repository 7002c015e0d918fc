package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrLeaseHeld is returned by AcquireLease while another node's lease on
// the camera has not expired.
var ErrLeaseHeld = errors.New("camera is owned by another node")

// Lease is one node's ownership of one camera until ExpiresAt. Generation
// grows each time the camera changes hands (or its owner lost it and took
// it again): an owner that finds a higher generation than its own was
// fenced off and must stop pulling and recording at once.
type Lease struct {
	Camera     string
	Node       string
	Generation int64
	ExpiresAt  time.Time
}

// AcquireLease gives node the camera until now+ttl: a new lease, a renewal
// of its own live lease, or a takeover of an expired one. Concurrent
// acquirers race on the generation: exactly one wins.
func (s *Store) AcquireLease(ctx context.Context, camera, node string, now time.Time, ttl time.Duration) (Lease, error) {
	until := toMillis(now.Add(ttl))
	cur, err := s.lease(ctx, camera)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := s.db.ExecContext(ctx, `INSERT INTO camera_leases (camera, node, generation, expires_at) VALUES (?, ?, 1, ?)`,
			camera, node, until)
		if s.isUniqueViolation(err) {
			return s.heldBy(ctx, camera)
		}
		return Lease{camera, node, 1, fromMillis(until)}, wrap(err, "acquire lease on %s", camera)
	case err != nil:
		return Lease{}, fmt.Errorf("acquire lease on %s: %w", camera, err)
	case cur.ExpiresAt.After(now) && cur.Node != node:
		return cur, fmt.Errorf("camera %s: %w %s until %s", camera, ErrLeaseHeld, cur.Node, cur.ExpiresAt.Format(time.RFC3339))
	}
	gen := cur.Generation
	if cur.Node != node || !cur.ExpiresAt.After(now) {
		gen++ // a new holding: whoever held it before is fenced off
	}
	res, err := s.db.ExecContext(ctx, `UPDATE camera_leases SET node = ?, generation = ?, expires_at = ?
		WHERE camera = ? AND generation = ? AND node = ?`, node, gen, until, camera, cur.Generation, cur.Node)
	if err := checkAffected(res, err, "lease "+camera); errors.Is(err, ErrNotFound) {
		return s.heldBy(ctx, camera) // another node won the race
	} else if err != nil {
		return Lease{}, fmt.Errorf("acquire lease on %s: %w", camera, err)
	}
	return Lease{camera, node, gen, fromMillis(until)}, nil
}

func (s *Store) heldBy(ctx context.Context, camera string) (Lease, error) {
	cur, err := s.lease(ctx, camera)
	if err != nil {
		return Lease{}, fmt.Errorf("acquire lease on %s: %w", camera, err)
	}
	return cur, fmt.Errorf("camera %s: %w %s", camera, ErrLeaseHeld, cur.Node)
}

func (s *Store) lease(ctx context.Context, camera string) (Lease, error) {
	return scanLease(s.db.QueryRowContext(ctx,
		`SELECT camera, node, generation, expires_at FROM camera_leases WHERE camera = ?`, camera))
}

// RenewLeases extends every lease node holds to now+ttl and returns them; a
// camera missing from the answer was taken by another node. A lease counts
// as held, even past its expiry, until another node takes it: after the
// store was unreachable for a while, the owners carry on rather than all
// dropping their cameras at once.
func (s *Store) RenewLeases(ctx context.Context, node string, now time.Time, ttl time.Duration) ([]Lease, error) {
	return queryAll(ctx, s, "renew leases", scanLease, `UPDATE camera_leases SET expires_at = ?
		WHERE node = ? AND expires_at <> 0 RETURNING camera, node, generation, expires_at`,
		toMillis(now.Add(ttl)), node)
}

// ReleaseLeases ends every lease of node now (graceful stop): the next
// node of each station takes the cameras without waiting for expiry.
func (s *Store) ReleaseLeases(ctx context.Context, node string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE camera_leases SET expires_at = 0 WHERE node = ?`, node)
	return wrap(err, "release leases of %s", node)
}

// ListLeases returns every camera's lease, live or expired, by camera.
func (s *Store) ListLeases(ctx context.Context) ([]Lease, error) {
	return queryAll(ctx, s, "list leases", scanLease,
		`SELECT camera, node, generation, expires_at FROM camera_leases ORDER BY camera`)
}

func scanLease(r scanner) (Lease, error) {
	var l Lease
	var exp int64
	err := r.Scan(&l.Camera, &l.Node, &l.Generation, &exp)
	l.ExpiresAt = fromMillis(exp)
	return l, err
}
