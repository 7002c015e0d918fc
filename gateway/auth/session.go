package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"vigil/gateway/store"
)

// tokenBytes is the entropy of a session token; tokens are base64url.
const tokenBytes = 32

var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// Login checks the password and opens a session. The returned token is the
// only copy of the session secret: the store keeps its SHA-256.
//
// Errors: *FailedLoginError (a wrong username or password), ErrUserDisabled,
// *RateLimitError (locked out or busy; the password was not checked), and
// anything else when the store cannot be read or written.
func (s *Service) Login(ctx context.Context, username, password, remoteAddr string) (string, User, error) {
	a, err := s.guard.reserve(username, ClientKey(remoteAddr), s.now())
	if err != nil {
		return "", User{}, err
	}
	u, ok, err := s.verify(ctx, username, password)
	if err != nil {
		a.cancel(s.now())
		return "", User{}, fmt.Errorf("login %q: %w", username, err)
	}
	if !ok {
		return "", User{}, &FailedLoginError{Engaged: a.failed(s.now())}
	}
	a.succeeded(s.now())
	if u.Disabled {
		return "", User{}, ErrUserDisabled
	}
	token, err := s.openSession(ctx, u.Username, remoteAddr)
	if err != nil {
		return "", User{}, fmt.Errorf("login %q: %w", username, err)
	}
	return token, toUser(u), nil
}

// verify checks username's password. An unknown user costs the same work
// as a known one (a dummy hash), so timing does not tell them apart.
func (s *Service) verify(ctx context.Context, username, password string) (store.User, bool, error) {
	u, err := s.st.GetUser(ctx, username)
	hash := u.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = s.dummy()
	} else if err != nil {
		return u, false, err
	}
	ok, err := s.checkPassword(ctx, hash, password)
	return u, ok && u.Username != "", err
}

func (s *Service) openSession(ctx context.Context, username, remoteAddr string) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	err := s.st.CreateSession(ctx, store.Session{
		ID: sessionID(token), Username: username,
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.idle), RemoteAddr: remoteAddr,
	})
	return token, err
}

// sessionID is the stored key of a token: its SHA-256, hex.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user of a session token. It fails with
// ErrUnauthenticated when the token is unknown, revoked or idle for longer
// than the idle timeout, or its user is gone or disabled. Activity slides
// the expiry, written at most once a minute. API tokens (APITokenPrefix)
// are accepted too: revocable, without idle expiry.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	if IsAPIToken(token) {
		return s.authenticateAPIToken(ctx, token)
	}
	se, err := s.session(ctx, token)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	switch {
	case se.Revoked:
		return User{}, fmt.Errorf("%w: session revoked", ErrUnauthenticated)
	case !now.Before(se.ExpiresAt):
		return User{}, fmt.Errorf("%w: session expired", ErrUnauthenticated)
	}
	u, err := s.st.GetUser(ctx, se.Username)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("%w: user deleted", ErrUnauthenticated)
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.Disabled {
		return User{}, fmt.Errorf("%w: %v", ErrUnauthenticated, ErrUserDisabled)
	}
	if now.Sub(se.LastSeen) >= touchInterval {
		if err := s.st.TouchSession(ctx, se.ID, now, now.Add(s.idle)); err != nil {
			// The request is authentic; a missed touch only shortens the session.
			s.log.Warn("auth: cannot record session activity", "user", u.Username, "err", err)
		}
	}
	return toUser(u), nil
}

// session looks up a token's session; malformed and unknown tokens are
// ErrUnauthenticated.
func (s *Service) session(ctx context.Context, token string) (store.Session, error) {
	if len(token) != tokenLen {
		return store.Session{}, ErrUnauthenticated
	}
	se, err := s.st.GetSession(ctx, sessionID(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, ErrUnauthenticated
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("authenticate: %w", err)
	}
	return se, nil
}

// Logout revokes the token's session. Logging out an unknown or already
// revoked token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if len(token) != tokenLen {
		return nil
	}
	err := s.st.RevokeSession(ctx, sessionID(token))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
