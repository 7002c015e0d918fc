package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
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
	key := idKey(pw, salt, p, p.KeyLen)
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
	got := idKey(pw, salt, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// releaseAbove is the argon2 memory, in KiB, past which a hash hands its
// block back at once (idKey). Tests' light parameters stay below it.
const releaseAbove = 8 * 1024

// idKey is argon2id of pw. Its memory block (64 MiB at DefaultParams) is
// garbage once the key is out, yet the Go runtime would keep it: a
// collection that ran while the block was live sets the next one's goal
// to twice the heap with the block, so after the admin password's hash at
// start, or any login, a node's heap may grow by twice the block before it
// is collected again, and the pages stay the process's (a vigil with no
// camera: 97 MB RSS, 66 MB of it heap, 15 s after its start). Collecting
// and returning free memory to the kernel now costs one collection per
// hash, on a path that already spends tens of milliseconds on purpose.
func idKey(pw string, salt []byte, p Params, keyLen uint32) []byte {
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	if p.Memory > releaseAbove {
		debug.FreeOSMemory()
	}
	return key
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
