package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"

	"vigil/gateway/store"
)

// AdminUser is the account created on first start.
const AdminUser = "admin"

// generatedLen is the length of a generated admin password.
const generatedLen = 20

// Bootstrap creates user admin (role admin, all stations) when the store has
// no users. The password is envPassword (VIGIL_ADMIN_PASSWORD) when set;
// otherwise a random one is generated, logged once, and must be changed at
// first login. There is no default password.
func Bootstrap(ctx context.Context, st Store, envPassword string, log *slog.Logger) error {
	return bootstrap(ctx, st, envPassword, log, DefaultParams())
}

func bootstrap(ctx context.Context, st Store, envPassword string, log *slog.Logger, p Params) error {
	if log == nil {
		log = slog.Default()
	}
	n, err := st.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if n > 0 {
		return nil
	}
	pw, generated := envPassword, envPassword == ""
	if generated {
		if pw, err = randomPassword(generatedLen); err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
	}
	hash, err := HashPasswordWith(p, pw)
	if err != nil {
		return fmt.Errorf("bootstrap: VIGIL_ADMIN_PASSWORD: %w", err)
	}
	err = st.CreateUser(ctx, store.User{
		Username: AdminUser, PasswordHash: hash, Role: string(RoleAdmin), MustChangePassword: generated,
	})
	if errors.Is(err, store.ErrExists) {
		return nil // another instance bootstrapped first
	}
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if generated {
		log.Warn("first start: created user admin with a generated password; it is shown only this once and must be changed at first login",
			"username", AdminUser, "password", pw)
	} else {
		log.Info("first start: created user admin with the password from VIGIL_ADMIN_PASSWORD", "username", AdminUser)
	}
	return nil
}

// passwordAlphabet leaves out look-alikes (0/O, 1/l/I) since the password
// is read off a log and typed by hand.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func randomPassword(n int) (string, error) {
	b := make([]byte, n)
	max := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = passwordAlphabet[k.Int64()]
	}
	return string(b), nil
}
