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
	ErrBusy               = errors.New("too many logins at once")
)

// RateLimitError refuses a login (or password change) before its password
// is checked: while a username or client is locked out
// (errors.Is(err, ErrRateLimited)), or, with Busy, while as many attempts
// are being checked as may be (errors.Is(err, ErrBusy)).
type RateLimitError struct {
	RetryAfter time.Duration
	Busy       bool
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; retry after %s", e.cause(), e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) or errors.Is(err, ErrBusy) true.
func (e *RateLimitError) Is(target error) bool { return target == e.cause() }

func (e *RateLimitError) cause() error {
	if e.Busy {
		return ErrBusy
	}
	return ErrRateLimited
}

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

	// Lockout: after UserFailures failed logins for a username from one
	// client address, AccountFailures for a username from any address, or
	// ClientFailures from one address for any username, further attempts
	// there wait LockoutBase, doubling per failure up to LockoutMax;
	// failures are forgotten LockoutMax after the last one. Defaults 5,
	// 50, 20, 30s, 15m.
	UserFailures    int
	AccountFailures int
	ClientFailures  int
	LockoutBase     time.Duration
	LockoutMax      time.Duration

	// HashSlots bounds concurrent argon2 runs (default 2: each uses two
	// threads and Params.Memory). A password check that finds no free slot
	// within HashWait (default 1s) is refused as busy.
	HashSlots int
	HashWait  time.Duration
}

// Service logs users in and authenticates their requests.
type Service struct {
	st     Store
	idle   time.Duration
	params Params
	now    func() time.Time
	log    *slog.Logger
	guard  guard

	slots    *hashSlots
	hashWait time.Duration

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
		slots: newHashSlots(orDefault(o.HashSlots, 2)), hashWait: orDuration(o.HashWait, time.Second),
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
	base, most := orDuration(o.LockoutBase, 30*time.Second), orDuration(o.LockoutMax, 15*time.Minute)
	s.guard = guard{
		client: newLimiter(orDefault(o.ClientFailures, 20), base, most),
		user:   newLimiter(orDefault(o.AccountFailures, 50), base, most),
		pair:   newLimiter(orDefault(o.UserFailures, 5), base, most),
	}
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

// checkPassword runs CheckPassword within the concurrency bound; with no
// slot free within hashWait it gives up with a busy *RateLimitError.
func (s *Service) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	if err := s.slots.acquire(ctx, s.hashWait); err != nil {
		return false, err
	}
	defer s.slots.release()
	s.slots.checks.Add(1)
	return CheckPassword(hash, pw), nil
}

// hashPassword hashes with the service's parameters within the bound. An
// authenticated change of a password waits for its slot as long as ctx
// allows: it is not what an attacker can flood.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.slots.acquire(ctx, 0); err != nil {
		return "", err
	}
	defer s.slots.release()
	s.slots.hashes.Add(1)
	return HashPasswordWith(s.params, pw)
}

// HashStats counts the argon2 work done so far.
func (s *Service) HashStats() HashStats { return s.slots.stats() }

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		// Within the bound like every argon2 run; without a deadline it
		// cannot fail.
		if s.slots.acquire(context.Background(), 0) == nil {
			defer s.slots.release()
		}
		s.dummyHash, _ = HashPasswordWith(s.params, "dummy-password-never-matches")
	})
	return s.dummyHash
}

func toUser(u store.User) User {
	return User{Name: u.Username, Role: Role(u.Role), Stations: u.Stations, MustChangePassword: u.MustChangePassword}
}
