// Package auth verifies passwords, runs login sessions and limits password
// guessing. It keeps no state of its own besides failure counters; users and
// sessions live in the store.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"vigil/gateway/store"
)

// Errors of Login and Authenticate; test with errors.Is. Messages are safe
// to show to the client.
var (
	ErrInvalidCredentials = errors.New("wrong username or password")
	ErrUserDisabled       = errors.New("account disabled")
	ErrUnauthenticated    = errors.New("not logged in or session expired")
	ErrRateLimited        = errors.New("too many failed logins")
)

// RateLimitError is returned by Login while a username or client is locked
// out; errors.Is(err, ErrRateLimited) holds.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; retry after %s", ErrRateLimited, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Store is what auth needs from the database; *store.Store implements it.
type Store interface {
	GetUser(ctx context.Context, username string) (store.User, error)
	CreateUser(ctx context.Context, u store.User) error
	CountUsers(ctx context.Context) (int, error)
	SetPassword(ctx context.Context, username, hash string, mustChange bool) error
	CreateSession(ctx context.Context, s store.Session) error
	GetSession(ctx context.Context, id string) (store.Session, error)
	TouchSession(ctx context.Context, id string, lastSeen, expiresAt time.Time) error
	RevokeSession(ctx context.Context, id string) error
	RevokeUserSessions(ctx context.Context, username, keepID string) (int64, error)

	// User administration and API tokens (admin.go, tokens.go).
	ListUsers(ctx context.Context) ([]store.User, error)
	UpdateUser(ctx context.Context, u store.User) error
	DeleteUser(ctx context.Context, username string) error
	CreateAPIToken(ctx context.Context, t store.APIToken) (store.APIToken, error)
	APIToken(ctx context.Context, id string) (store.APIToken, error)
	APITokenByHash(ctx context.Context, hash string) (store.APIToken, error)
	ListAPITokens(ctx context.Context, username string) ([]store.APIToken, error)
	TouchAPIToken(ctx context.Context, id string, at time.Time) error
	RevokeAPIToken(ctx context.Context, id string) error
	RevokeUserAPITokens(ctx context.Context, username string) (int64, error)
}

// Options configure a Service. Only Store is required.
type Options struct {
	Store       Store
	IdleTimeout time.Duration    // session idle timeout, sliding; default 12h
	Params      Params           // argon2id cost; zero = DefaultParams
	Now         func() time.Time // clock, for tests; default time.Now
	Log         *slog.Logger     // default slog.Default

	// Lockout: after UserFailures failed logins for a username, or
	// ClientFailures from one client, further attempts wait LockoutBase,
	// doubling per failure up to LockoutMax. Defaults 5, 20, 30s, 15m.
	UserFailures   int
	ClientFailures int
	LockoutBase    time.Duration
	LockoutMax     time.Duration
}

// Service logs users in and authenticates their requests.
type Service struct {
	st      Store
	idle    time.Duration
	params  Params
	now     func() time.Time
	log     *slog.Logger
	users   *limiter
	clients *limiter

	// hashSlots bounds concurrent argon2 runs: each takes Params.Memory,
	// and a burst of logins must not exhaust the gateway's memory.
	hashSlots chan struct{}

	dummyOnce sync.Once
	dummyHash string // verified against for unknown users, to equalise timing

	// adminMu serialises user administration, so that two admins deleting
	// each other cannot both pass the last-admin check.
	adminMu sync.Mutex
}

// touchInterval limits last_seen writes to one per session per minute.
const touchInterval = time.Minute

// New returns a Service with defaults filled in.
func New(o Options) *Service {
	s := &Service{
		st: o.Store, idle: o.IdleTimeout, params: o.Params, now: o.Now, log: o.Log,
		hashSlots: make(chan struct{}, 4),
	}
	if s.idle <= 0 {
		s.idle = 12 * time.Hour
	}
	if s.params == (Params{}) {
		s.params = DefaultParams()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.users = newLimiter(orDefault(o.UserFailures, 5), orDuration(o.LockoutBase, 30*time.Second), orDuration(o.LockoutMax, 15*time.Minute))
	s.clients = newLimiter(orDefault(o.ClientFailures, 20), orDuration(o.LockoutBase, 30*time.Second), orDuration(o.LockoutMax, 15*time.Minute))
	return s
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func orDuration(v, d time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return d
}

// checkPassword runs CheckPassword within the concurrency bound.
func (s *Service) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return CheckPassword(hash, pw), nil
}

// hashPassword hashes with the service's parameters within the bound.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return HashPasswordWith(s.params, pw)
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = HashPasswordWith(s.params, "dummy-password-never-matches")
	})
	return s.dummyHash
}

func toUser(u store.User) User {
	return User{Name: u.Username, Role: Role(u.Role), Stations: u.Stations, MustChangePassword: u.MustChangePassword}
}
