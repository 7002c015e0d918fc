package store

import (
	"crypto/rand"
	"encoding/hex"
)

// newID returns a random 16-hex-digit id: short enough for a shared link,
// unguessable enough that ids do not leak other users' layouts.
func newID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails on supported platforms
	return hex.EncodeToString(b)
}
