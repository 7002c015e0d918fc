package auth

import (
	"time"
)

// Scopes of a login lockout: what the counted failures had in common.
const (
	ScopeUserAddress = "user_address" // one username from one client address
	ScopeUser        = "user"         // one username from any address
	ScopeAddress     = "address"      // one client address, any username
)

// Lockout is a lock that a failed login engaged.
type Lockout struct {
	Scope string
	For   time.Duration
}

// FailedLoginError is a wrong username or password; errors.Is(err,
// ErrInvalidCredentials) holds. Engaged lists the locks this very failure
// engaged (usually none), so that each engagement is reported once.
type FailedLoginError struct {
	Engaged []Lockout
}

func (e *FailedLoginError) Error() string { return ErrInvalidCredentials.Error() }

// Unwrap makes errors.Is(err, ErrInvalidCredentials) true.
func (e *FailedLoginError) Unwrap() error { return ErrInvalidCredentials }

// inFlightRetry is the Retry-After of an attempt refused because others
// are being checked: they settle within a password check or two.
const inFlightRetry = time.Second

// guard holds the three failure counters a login passes. The strict one
// is per username and address, so guesses from one address do not lock the
// user out everywhere; the looser per-username one bounds guessing spread
// over many addresses; the per-address one bounds username spraying.
type guard struct {
	client, user, pair *limiter
}

func pairKey(username, client string) string { return username + "\x00" + client }

// attempt is one login admitted by every counter of the guard.
type attempt struct {
	g                  *guard
	client, user, pair string
}

// reserve admits one attempt of username from client, or refuses it with
// a *RateLimitError. The client is checked first: a locked-out client must
// not keep creating entries for the usernames it sprays.
func (g *guard) reserve(username, client string, now time.Time) (*attempt, error) {
	a := &attempt{g: g, client: client, user: username, pair: pairKey(username, client)}
	steps := a.steps()
	for i, st := range steps {
		ok, retry := st.l.reserve(st.key, now)
		if ok {
			continue
		}
		for _, done := range steps[:i] {
			done.l.settle(done.key, now, false)
		}
		if retry > 0 {
			return nil, &RateLimitError{RetryAfter: retry}
		}
		return nil, &RateLimitError{RetryAfter: inFlightRetry, Busy: true}
	}
	return a, nil
}

type step struct {
	l     *limiter
	key   string
	scope string
}

func (a *attempt) steps() []step {
	return []step{
		{a.g.client, a.client, ScopeAddress},
		{a.g.user, a.user, ScopeUser},
		{a.g.pair, a.pair, ScopeUserAddress},
	}
}

// failed records a wrong password and returns the locks it engaged.
func (a *attempt) failed(now time.Time) []Lockout {
	var engaged []Lockout
	for _, st := range a.steps() {
		if d := st.l.settle(st.key, now, true); d > 0 {
			engaged = append(engaged, Lockout{Scope: st.scope, For: d})
		}
	}
	return engaged
}

// succeeded ends the attempt with the right password: the strict counter
// of this username and address starts again. The looser ones do not, so
// that the user's own logins do not renew an attacker's allowance.
func (a *attempt) succeeded(now time.Time) {
	a.cancel(now)
	a.g.pair.reset(a.pair)
}

// cancel ends an attempt that reached no verdict (no hashing slot, a
// store error): nothing is counted.
func (a *attempt) cancel(now time.Time) {
	for _, st := range a.steps() {
		st.l.settle(st.key, now, false)
	}
}
