package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"vigil/gateway/store"
)

// Errors of user administration; their messages are safe to show.
var (
	ErrLastAdmin = errors.New("the last enabled admin cannot be removed, disabled or demoted")
	ErrSelf      = errors.New("you cannot delete, disable or demote your own account")
)

// Account is a user as administrators see it.
type Account struct {
	User
	Disabled  bool
	CreatedAt time.Time
}

// NewAccount is a user an admin creates.
type NewAccount struct {
	Name       string
	Password   string
	Role       Role
	Stations   []string
	MustChange bool // the user must choose a new password at first login
}

// AccountChange is an admin's edit of a user; nil fields stay as they are.
// A Password is a reset: the user must change it at the next login.
type AccountChange struct {
	Role     *Role
	Stations *[]string
	Disabled *bool
	Password *string
}

// ListAccounts returns every user, ordered by name.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	users, err := s.st.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(users))
	for _, u := range users {
		out = append(out, toAccount(u))
	}
	return out, nil
}

// Account returns one user; store.ErrNotFound when there is none.
func (s *Service) Account(ctx context.Context, name string) (Account, error) {
	u, err := s.st.GetUser(ctx, name)
	if err != nil {
		return Account{}, err
	}
	return toAccount(u), nil
}

// CreateAccount adds a user.
func (s *Service) CreateAccount(ctx context.Context, a NewAccount) (Account, error) {
	if _, err := s.createUser(ctx, a.Name, a.Password, a.Role, dedupe(a.Stations), a.MustChange); err != nil {
		return Account{}, err
	}
	return s.Account(ctx, a.Name)
}

// UpdateAccount applies an admin's change to user name on behalf of actor.
// Disabling a user revokes its sessions and API tokens; a new role or
// station scope revokes its sessions, so open consoles log in again under
// the new rights; a password reset revokes its sessions and API tokens.
func (s *Service) UpdateAccount(ctx context.Context, actor, name string, ch AccountChange) (Account, error) {
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	su, err := s.st.GetUser(ctx, name)
	if err != nil {
		return Account{}, err
	}
	before := su
	if ch.Role != nil {
		if !ch.Role.Valid() {
			return Account{}, fmt.Errorf("role %q: must be admin, operator, dispatcher or viewer", *ch.Role)
		}
		su.Role = string(*ch.Role)
	}
	if ch.Stations != nil {
		su.Stations = dedupe(*ch.Stations)
	}
	if ch.Disabled != nil {
		su.Disabled = *ch.Disabled
	}
	if err := s.checkAdminRemains(ctx, actor, before, su); err != nil {
		return Account{}, err
	}
	if ch.Password != nil {
		if err := CheckPasswordPolicy(*ch.Password); err != nil {
			return Account{}, err
		}
	}
	if err := s.st.UpdateUser(ctx, su); err != nil {
		return Account{}, err
	}
	if ch.Password != nil {
		if err := s.SetPassword(ctx, name, *ch.Password, true); err != nil {
			return Account{}, err
		}
	}
	if err := s.revokeAfterChange(ctx, before, su); err != nil {
		return Account{}, err
	}
	return s.Account(ctx, name)
}

func (s *Service) revokeAfterChange(ctx context.Context, before, after store.User) error {
	if after.Disabled && !before.Disabled {
		if _, err := s.st.RevokeUserAPITokens(ctx, after.Username); err != nil {
			return err
		}
	}
	if after.Disabled != before.Disabled || after.Role != before.Role || !slices.Equal(after.Stations, before.Stations) {
		_, err := s.st.RevokeUserSessions(ctx, after.Username, "")
		return err
	}
	return nil
}

// DeleteAccount removes user name (with its sessions and tokens) on behalf
// of actor: never actor itself, never the last enabled admin.
func (s *Service) DeleteAccount(ctx context.Context, actor, name string) error {
	s.adminMu.Lock()
	defer s.adminMu.Unlock()
	if actor == name {
		return ErrSelf
	}
	su, err := s.st.GetUser(ctx, name)
	if err != nil {
		return err
	}
	gone := su
	gone.Disabled = true
	if err := s.checkAdminRemains(ctx, actor, su, gone); err != nil {
		return err
	}
	return s.st.DeleteUser(ctx, name)
}

// RevokeSessions ends every login session of user name.
func (s *Service) RevokeSessions(ctx context.Context, name string) (int64, error) {
	if _, err := s.st.GetUser(ctx, name); err != nil {
		return 0, err
	}
	return s.st.RevokeUserSessions(ctx, name, "")
}

// checkAdminRemains refuses a change that takes away actor's own admin
// rights or leaves no enabled admin.
func (s *Service) checkAdminRemains(ctx context.Context, actor string, before, after store.User) error {
	wasAdmin := before.Role == string(RoleAdmin) && !before.Disabled
	isAdmin := after.Role == string(RoleAdmin) && !after.Disabled
	if !wasAdmin || isAdmin {
		return nil
	}
	if before.Username == actor {
		return ErrSelf
	}
	users, err := s.st.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Username != before.Username && u.Role == string(RoleAdmin) && !u.Disabled {
			return nil
		}
	}
	return ErrLastAdmin
}

func toAccount(u store.User) Account {
	return Account{User: toUser(u), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// dedupe drops repeated station ids, keeping the first of each.
func dedupe(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
