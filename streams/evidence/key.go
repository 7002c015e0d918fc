// Package evidence signs exported clips: an Ed25519 key kept in the data
// directory, and a JSON manifest beside each clip holding its SHA-256 and
// a signature over the manifest's canonical form.
package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFile is the name of the signing key in the data directory.
const KeyFile = "evidence.key"

// Key is the gateway's signing key.
type Key struct {
	priv ed25519.PrivateKey
}

// Public returns the public half, which verifiers need.
func (k *Key) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Fingerprint identifies the key: hex SHA-256 of the raw public key.
func (k *Key) Fingerprint() string { return Fingerprint(k.Public()) }

// Fingerprint returns the hex SHA-256 of a raw Ed25519 public key.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

// LoadOrCreateKey loads dir/evidence.key, creating it (mode 0600) on first
// start. A key readable by others is tightened to 0600: it signs evidence.
func LoadOrCreateKey(dir string) (*Key, error) {
	path := filepath.Join(dir, KeyFile)
	k, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := createKey(dir, path); err != nil {
		return nil, err
	}
	return loadKey(path)
}

func loadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("evidence: key %s is readable by others and cannot be fixed: %w", path, err)
		}
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("evidence: %s holds no PEM private key", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("evidence: %s: %w", path, err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("evidence: %s is not an Ed25519 key", path)
	}
	return &Key{priv: priv}, nil
}

// createKey writes a new key under a temporary name and links it into
// place, so two starting processes never overwrite each other's key and a
// crash never leaves a half-written one.
func createKey(dir, path string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".evidence-key-*")
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		err = pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("evidence: write key: %w", err)
		}
	} else {
		tmp.Close()
		return fmt.Errorf("evidence: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// SignMessage signs msg with the key. Callers prefix msg with what it is
// (e.g. "vigil audit checkpoint v1"), so that no signed message can be
// taken for another kind, a clip manifest included.
func (k *Key) SignMessage(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }
