package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"vigil/gateway/store"
)

// APITokenPrefix starts every API token: secret scanners and people can
// tell a vigil token apart, and Authenticate knows where to look it up.
const APITokenPrefix = "vgl_"

// MaxAPITokens bounds the live (unrevoked) tokens of one user.
const MaxAPITokens = 20

// ErrTooManyTokens refuses a token beyond MaxAPITokens.
var ErrTooManyTokens = fmt.Errorf("at most %d live API tokens per user; revoke one first", MaxAPITokens)

var apiTokenLen = len(APITokenPrefix) + tokenLen

// APIToken is a bearer token of a user for tools. It carries the user's
// rights at the time of each request, not at the time it was made.
type APIToken struct {
	ID        string
	User      string
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time // zero: never used
	Revoked   bool
}

// IsAPIToken reports whether a bearer token has the API token form.
func IsAPIToken(token string) bool { return strings.HasPrefix(token, APITokenPrefix) }

// CheckTokenName reports whether name may label a token: 1-64 printable
// characters.
func CheckTokenName(name string) error {
	if n := utf8.RuneCountInString(name); n == 0 || n > 64 || strings.TrimSpace(name) == "" {
		return errors.New("token name must be 1-64 characters")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return errors.New("token name must be printable characters")
		}
	}
	return nil
}

// CreateAPIToken makes a token for username. The returned string is the
// only copy of the secret: the store keeps its SHA-256.
func (s *Service) CreateAPIToken(ctx context.Context, username, name string) (string, APIToken, error) {
	if err := CheckTokenName(name); err != nil {
		return "", APIToken{}, err
	}
	existing, err := s.st.ListAPITokens(ctx, username)
	if err != nil {
		return "", APIToken{}, err
	}
	live := 0
	for _, t := range existing {
		if !t.Revoked {
			live++
		}
	}
	if live >= MaxAPITokens {
		return "", APIToken{}, ErrTooManyTokens
	}
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", APIToken{}, err
	}
	token := APITokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	st, err := s.st.CreateAPIToken(ctx, store.APIToken{
		Username: username, Name: name, Hash: sessionID(token), CreatedAt: s.now(),
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return token, toAPIToken(st), nil
}

// ListAPITokens returns the tokens of username, or of everyone for "".
func (s *Service) ListAPITokens(ctx context.Context, username string) ([]APIToken, error) {
	list, err := s.st.ListAPITokens(ctx, username)
	if err != nil {
		return nil, err
	}
	out := make([]APIToken, 0, len(list))
	for _, t := range list {
		out = append(out, toAPIToken(t))
	}
	return out, nil
}

// APITokenByID returns one token; store.ErrNotFound when there is none.
func (s *Service) APITokenByID(ctx context.Context, id string) (APIToken, error) {
	t, err := s.st.APIToken(ctx, id)
	if err != nil {
		return APIToken{}, err
	}
	return toAPIToken(t), nil
}

// RevokeAPIToken revokes a token by id.
func (s *Service) RevokeAPIToken(ctx context.Context, id string) error {
	return s.st.RevokeAPIToken(ctx, id)
}

// authenticateAPIToken is Authenticate for API tokens.
func (s *Service) authenticateAPIToken(ctx context.Context, token string) (User, error) {
	if len(token) != apiTokenLen {
		return User{}, ErrUnauthenticated
	}
	t, err := s.st.APITokenByHash(ctx, sessionID(token))
	if errors.Is(err, store.ErrNotFound) {
		return User{}, ErrUnauthenticated
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if t.Revoked {
		return User{}, fmt.Errorf("%w: API token revoked", ErrUnauthenticated)
	}
	u, err := s.activeUser(ctx, t.Username)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	if now.Sub(t.LastUsed) >= touchInterval {
		if err := s.st.TouchAPIToken(ctx, t.ID, now); err != nil {
			s.log.Warn("auth: cannot record API token use", "user", u.Name, "token", t.ID, "err", err)
		}
	}
	return u, nil
}

// activeUser loads a user who may act: existing and not disabled.
func (s *Service) activeUser(ctx context.Context, name string) (User, error) {
	u, err := s.st.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return User{}, fmt.Errorf("%w: user deleted", ErrUnauthenticated)
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.Disabled {
		return User{}, fmt.Errorf("%w: %v", ErrUnauthenticated, ErrUserDisabled)
	}
	return toUser(u), nil
}

func toAPIToken(t store.APIToken) APIToken {
	return APIToken{ID: t.ID, User: t.Username, Name: t.Name, CreatedAt: t.CreatedAt, LastUsed: t.LastUsed, Revoked: t.Revoked}
}
