package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a login session. ID is the hex SHA-256 of the bearer token, so
// a leaked database does not hand out working tokens.
type Session struct {
	ID         string
	Username   string
	CreatedAt  time.Time
	LastSeen   time.Time
	ExpiresAt  time.Time
	Revoked    bool
	RemoteAddr string
}

const sessionColumns = `id, username, created_at, last_seen, expires_at, revoked, remote_addr`

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		se.ID, se.Username, toMillis(se.CreatedAt), toMillis(se.LastSeen), toMillis(se.ExpiresAt),
		boolInt(se.Revoked), se.RemoteAddr)
	if s.isUniqueViolation(err) {
		return fmt.Errorf("session: %w", ErrExists)
	}
	return wrap(err, "create session for %q", se.Username)
}

// GetSession returns the session with the given id; ErrNotFound if none.
func (s *Store) GetSession(ctx context.Context, id string) (Session, error) {
	var (
		se                     Session
		created, seen, expires int64
		revoked                int
	)
	err := s.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id).
		Scan(&se.ID, &se.Username, &created, &seen, &expires, &revoked, &se.RemoteAddr)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	se.CreatedAt, se.LastSeen, se.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	se.Revoked = revoked != 0
	return se, nil
}

// TouchSession records activity and slides the expiry.
func (s *Store) TouchSession(ctx context.Context, id string, lastSeen, expiresAt time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ?`,
		toMillis(lastSeen), toMillis(expiresAt), id)
	return wrap(checkAffected(res, err, "session"), "touch session")
}

// RevokeSession marks one session revoked; ErrNotFound if there is none.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked = 1 WHERE id = ?`, id)
	return wrap(checkAffected(res, err, "session"), "revoke session")
}

// RevokeUserSessions revokes every session of a user except keepID ("" for
// none), e.g. after a password change or when the account is disabled. It
// returns how many it revoked.
func (s *Store) RevokeUserSessions(ctx context.Context, username, keepID string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked = 1 WHERE username = ? AND id != ? AND revoked = 0`, username, keepID)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of %q: %w", username, err)
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions expired or revoked before now, so
// the table does not grow forever. It returns how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? OR revoked = 1`, toMillis(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
