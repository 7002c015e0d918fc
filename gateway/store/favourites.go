package store

import (
	"context"
	"fmt"
	"time"
)

// AddFavourite marks camera as one of user's favourites; marking it again
// changes nothing.
func (s *Store) AddFavourite(ctx context.Context, user, camera string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO favourites (username, camera, created_at) VALUES (?, ?, ?)
		ON CONFLICT(username, camera) DO NOTHING`, user, camera, toMillis(time.Now()))
	if err != nil {
		return fmt.Errorf("add favourite: %w", err)
	}
	return nil
}

// RemoveFavourite unmarks camera; ErrNotFound when it was not marked.
func (s *Store) RemoveFavourite(ctx context.Context, user, camera string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM favourites WHERE username = ? AND camera = ?`, user, camera)
	return wrap(checkAffected(res, err, "favourite "+camera), "remove favourite")
}

// Favourites lists user's favourite cameras ordered by id.
func (s *Store) Favourites(ctx context.Context, user string) ([]string, error) {
	return queryAll(ctx, s, "list favourites", func(r scanner) (string, error) {
		var cam string
		return cam, r.Scan(&cam)
	}, `SELECT camera FROM favourites WHERE username = ? ORDER BY camera`, user)
}
