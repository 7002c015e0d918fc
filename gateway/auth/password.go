package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length bounds, in characters. The maximum keeps hashing cost
// bounded for hostile input.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

// ErrPasswordTooShort and ErrPasswordTooLong reject a new password.
var (
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d characters", MaxPasswordLen)
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are ~64 MiB, one pass, two lanes (RFC 9106's second
// recommended option, scaled to a small gateway): tens of milliseconds.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters read from a stored hash, so a corrupt or planted
// hash cannot make a login allocate gigabytes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 16
	maxKeyLen  = 128
	maxSaltLen = 128
)

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64

// CheckPasswordPolicy reports whether pw may be set as a password.
func CheckPasswordPolicy(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		return ErrPasswordTooShort
	case n > MaxPasswordLen:
		return ErrPasswordTooLong
	}
	return nil
}

// HashPassword hashes pw with argon2id and DefaultParams into a PHC string
// `$argon2id$v=19$m=65536,t=1,p=2$salt$hash`.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(DefaultParams(), pw)
}

// HashPasswordWith hashes with the given parameters (tests use light ones).
func HashPasswordWith(p Params, pw string) (string, error) {
	if err := CheckPasswordPolicy(pw); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC hash, comparing in
// constant time. A malformed hash never matches.
func CheckPassword(hash, pw string) bool {
	p, salt, key, err := parsePHC(hash)
	if err != nil || len(pw) > 4*MaxPasswordLen {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func parsePHC(s string) (Params, []byte, []byte, error) {
	var p Params
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(f[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if n, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || n != 3 {
		return p, nil, nil, errors.New("bad argon2 parameters")
	}
	salt, err1 := b64.DecodeString(f[4])
	key, err2 := b64.DecodeString(f[5])
	switch {
	case err1 != nil || err2 != nil:
		return p, nil, nil, errors.New("bad base64 in hash")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1:
		return p, nil, nil, errors.New("argon2 parameters out of range")
	case len(salt) < 8 || len(salt) > maxSaltLen || len(key) < 16 || len(key) > maxKeyLen:
		return p, nil, nil, errors.New("salt or key length out of range")
	}
	return p, salt, key, nil
}
