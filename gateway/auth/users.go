package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"vigil/gateway/store"
)

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ErrSamePassword refuses a password change that changes nothing.
var ErrSamePassword = errors.New("the new password must differ from the old one")

// ValidUsername reports whether name is 1-64 chars of letters, digits and
// . _ @ -, starting with a letter or digit.
func ValidUsername(name string) bool { return usernameRe.MatchString(name) }

// CreateUser adds a user with a password, which the user need not change.
func (s *Service) CreateUser(ctx context.Context, name, password string, role Role, stations []string) (User, error) {
	return s.createUser(ctx, name, password, role, stations, false)
}

func (s *Service) createUser(ctx context.Context, name, password string, role Role, stations []string, mustChange bool) (User, error) {
	if !ValidUsername(name) {
		return User{}, fmt.Errorf("username %q: must be 1-64 chars of letters, digits, . _ @ -", name)
	}
	if !role.Valid() {
		return User{}, fmt.Errorf("role %q: must be admin, operator, dispatcher or viewer", role)
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", name, err)
	}
	u := store.User{Username: name, PasswordHash: hash, Role: string(role), Stations: stations,
		MustChangePassword: mustChange, CreatedAt: s.now()}
	if err := s.st.CreateUser(ctx, u); err != nil {
		return User{}, err
	}
	return toUser(u), nil
}

// SetPassword sets a user's password (an admin reset: mustChange makes the
// user choose a new one) and revokes all the user's sessions and API
// tokens: whoever knew the old password may have made them.
func (s *Service) SetPassword(ctx context.Context, name, password string, mustChange bool) error {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	if err := s.st.SetPassword(ctx, name, hash, mustChange); err != nil {
		return err
	}
	return s.revokeCredentials(ctx, name, "")
}

// ChangePassword is the user changing their own password: the session (or
// API token) of token stays; the user's other sessions and API tokens are
// revoked. Wrong
// old passwords count like failed logins, per session and per user.
func (s *Service) ChangePassword(ctx context.Context, token, oldPassword, newPassword string) error {
	u, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	a, err := s.guard.reserve(u.Name, "session:"+sessionID(token), s.now())
	if err != nil {
		return err
	}
	_, ok, err := s.verify(ctx, u.Name, oldPassword)
	if err != nil {
		a.cancel(s.now())
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return &FailedLoginError{Engaged: a.failed(s.now())}
	}
	a.succeeded(s.now())
	if oldPassword == newPassword {
		return ErrSamePassword
	}
	hash, err := s.hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	if err := s.st.SetPassword(ctx, u.Name, hash, false); err != nil {
		return err
	}
	return s.revokeCredentials(ctx, u.Name, token)
}

// revokeCredentials ends every session and API token of name but keep (the
// session or API token that changed the password; "" for none).
func (s *Service) revokeCredentials(ctx context.Context, name, keep string) error {
	keepID := ""
	if keep != "" {
		keepID = sessionID(keep) // sessions and API tokens are stored by the same hash
	}
	if _, err := s.st.RevokeUserSessions(ctx, name, keepID); err != nil {
		return err
	}
	if !IsAPIToken(keep) {
		_, err := s.st.RevokeUserAPITokens(ctx, name)
		return err
	}
	tokens, err := s.st.ListAPITokens(ctx, name)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if !t.Revoked && t.Hash != keepID {
			if err := s.st.RevokeAPIToken(ctx, t.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
