package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// APIToken is a long-lived bearer token of a user, for tools. Hash is the
// hex SHA-256 of the token; the token itself is never stored.
type APIToken struct {
	ID        string
	Username  string
	Name      string
	Hash      string
	CreatedAt time.Time
	LastUsed  time.Time // zero: never used
	Revoked   bool
}

const tokenColumns = `id, username, name, hash, created_at, last_used, revoked`

// CreateAPIToken inserts t, giving it an id when it has none; ErrExists
// when the hash is taken.
func (s *Store) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	if t.ID == "" {
		t.ID = newID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Username, t.Name, t.Hash, toMillis(t.CreatedAt), toMillis(t.LastUsed), boolInt(t.Revoked))
	if s.isUniqueViolation(err) {
		return APIToken{}, fmt.Errorf("api token: %w", ErrExists)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("create api token for %q: %w", t.Username, err)
	}
	return t, nil
}

// APITokenByHash returns the token with the given hash; ErrNotFound if none.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (APIToken, error) {
	return s.oneToken(ctx, `hash = ?`, hash)
}

// APIToken returns the token with the given id; ErrNotFound if none.
func (s *Store) APIToken(ctx context.Context, id string) (APIToken, error) {
	return s.oneToken(ctx, `id = ?`, id)
}

func (s *Store) oneToken(ctx context.Context, where string, arg any) (APIToken, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+where, arg)
	t, err := scanToken(row)
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, fmt.Errorf("api token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("get api token: %w", err)
	}
	return t, nil
}

// ListAPITokens returns the tokens of username ("" for every user), newest
// first.
func (s *Store) ListAPITokens(ctx context.Context, username string) ([]APIToken, error) {
	q, args := `SELECT `+tokenColumns+` FROM api_tokens`, []any{}
	if username != "" {
		q, args = q+` WHERE username = ?`, append(args, username)
	}
	return queryAll(ctx, s, "list api tokens", scanToken, q+` ORDER BY created_at DESC, id`, args...)
}

// TouchAPIToken records a use of the token.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, toMillis(at), id)
	return wrap(checkAffected(res, err, "api token"), "touch api token")
}

// RevokeAPIToken marks one token revoked; ErrNotFound if there is none.
func (s *Store) RevokeAPIToken(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "api token"), "revoke api token")
}

// RevokeUserAPITokens revokes every token of a user and returns how many.
func (s *Store) RevokeUserAPITokens(ctx context.Context, username string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE username = ? AND revoked = 0`, username)
	if err != nil {
		return 0, fmt.Errorf("revoke api tokens of %q: %w", username, err)
	}
	return res.RowsAffected()
}

func scanToken(r scanner) (APIToken, error) {
	var (
		t             APIToken
		created, used int64
		revoked       int
	)
	if err := r.Scan(&t.ID, &t.Username, &t.Name, &t.Hash, &created, &used, &revoked); err != nil {
		return APIToken{}, err
	}
	t.CreatedAt, t.LastUsed, t.Revoked = fromMillis(created), fromMillis(used), revoked != 0
	return t, nil
}
