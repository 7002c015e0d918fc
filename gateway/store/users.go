package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// User is a stored account. Role is kept as text; package auth gives it
// meaning.
type User struct {
	Username           string
	PasswordHash       string
	Role               string
	Stations           []string // station ids the user may see; empty = all
	MustChangePassword bool
	CreatedAt          time.Time
	Disabled           bool
}

const userColumns = `username, password_hash, role, stations, must_change_password, created_at, disabled`

// CreateUser inserts u; ErrExists when the username is taken. A zero
// CreatedAt is set to now.
func (s *Store) CreateUser(ctx context.Context, u User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	stations, err := marshalList(u.Stations)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.PasswordHash, u.Role, stations, boolInt(u.MustChangePassword),
		toMillis(u.CreatedAt), boolInt(u.Disabled))
	if s.isUniqueViolation(err) {
		return fmt.Errorf("user %q: %w", u.Username, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Username, err)
	}
	return nil
}

// GetUser returns the user; ErrNotFound when there is none.
func (s *Store) GetUser(ctx context.Context, username string) (User, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username)
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", username, err)
	}
	return u, nil
}

// ListUsers returns all users ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	return queryAll(ctx, s, "list users", scanUser, `SELECT `+userColumns+` FROM users ORDER BY username`)
}

// CountUsers returns the number of users; zero means first start.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// UpdateUser replaces role, stations, must_change_password and disabled of
// an existing user; the password hash and creation time are left alone
// (see SetPassword).
func (s *Store) UpdateUser(ctx context.Context, u User) error {
	stations, err := marshalList(u.Stations)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE users SET role = ?, stations = ?, must_change_password = ?, disabled = ? WHERE username = ?`,
		u.Role, stations, boolInt(u.MustChangePassword), boolInt(u.Disabled), u.Username)
	return wrap(checkAffected(res, err, "user "+u.Username), "update user %q", u.Username)
}

// SetPassword stores a new password hash and the must-change flag.
func (s *Store) SetPassword(ctx context.Context, username, hash string, mustChange bool) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?`,
		hash, boolInt(mustChange), username)
	return wrap(checkAffected(res, err, "user "+username), "set password of %q", username)
}

// DeleteUser removes the user and, through the foreign key, its sessions.
func (s *Store) DeleteUser(ctx context.Context, username string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM users WHERE username = ?`, username)
	return wrap(checkAffected(res, err, "user "+username), "delete user %q", username)
}

func scanUser(r scanner) (User, error) {
	var (
		u                    User
		stations             string
		mustChange, disabled int
		created              int64
	)
	if err := r.Scan(&u.Username, &u.PasswordHash, &u.Role, &stations, &mustChange, &created, &disabled); err != nil {
		return User{}, err
	}
	if err := json.Unmarshal([]byte(stations), &u.Stations); err != nil {
		return User{}, fmt.Errorf("user %q: stations: %w", u.Username, err)
	}
	u.MustChangePassword, u.Disabled = mustChange != 0, disabled != 0
	u.CreatedAt = fromMillis(created)
	return u, nil
}

// marshalList stores a nil list as [] so reads give a non-null JSON value.
func marshalList(l []string) (string, error) {
	if l == nil {
		l = []string{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// wrap adds context to a non-nil error, keeping it testable with errors.Is.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
