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
func (s *Service) Login(ctx context.Context, username, password, remoteAddr string) (string, User, error) {
	now := s.now()
	client := clientKey(remoteAddr)
	// Clients first: a locked-out client must not keep creating entries for
	// usernames it sprays.
	if d := s.clients.retryAfter(client, now); d > 0 {
		return "", User{}, &RateLimitError{RetryAfter: d}
	}
	if d := s.users.retryAfter(username, now); d > 0 {
		return "", User{}, &RateLimitError{RetryAfter: d}
	}
	u, err := s.st.GetUser(ctx, username)
	hash := u.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = s.dummy() // same work as for a real user: no username probing by timing
	} else if err != nil {
		return "", User{}, fmt.Errorf("login %q: %w", username, err)
	}
	ok, err := s.checkPassword(ctx, hash, password)
	if err != nil {
		return "", User{}, fmt.Errorf("login %q: %w", username, err)
	}
	if !ok || u.Username == "" {
		s.users.fail(username, now)
		s.clients.fail(client, now)
		return "", User{}, ErrInvalidCredentials
	}
	s.users.reset(username)
	if u.Disabled {
		return "", User{}, ErrUserDisabled
	}
	token, err := s.openSession(ctx, u.Username, remoteAddr)
	if err != nil {
		return "", User{}, fmt.Errorf("login %q: %w", username, err)
	}
	return token, toUser(u), nil
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
