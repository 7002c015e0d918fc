package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Reasons Verify fails, for errors.Is; the wrapped text says more.
var (
	ErrUnreadableManifest = errors.New("evidence: manifest unreadable")
	ErrBadSignature       = errors.New("evidence: signature does not match the manifest")
	ErrHashMismatch       = errors.New("evidence: clip does not match the manifest's SHA-256")
	ErrUntrustedKey       = errors.New("evidence: signed by an untrusted key")
)

// Sign hashes the clip at clipPath and returns m completed with the hash,
// size, key and signature. The caller fills the descriptive fields.
func (k *Key) Sign(clipPath string, m Manifest) (*Manifest, error) {
	sum, size, err := HashFile(clipPath)
	if err != nil {
		return nil, err
	}
	m.Version = Version
	m.SHA256, m.Size = sum, size
	m.PublicKey = base64.StdEncoding.EncodeToString(k.Public())
	m.KeyFingerprint = k.Fingerprint()
	m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, m.Payload()))
	return &m, nil
}

// HashFile returns the hex SHA-256 and the size of a file.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Verify checks that the manifest is signed by the key it names and that
// the clip is the one it describes. It returns nil when both hold.
func Verify(clipPath, manifestPath string) error {
	_, err := verify(clipPath, manifestPath)
	return err
}

// VerifyTrusted is Verify that also requires the signing key to be one of
// trusted (e.g. this gateway's own): a forger can sign with their own key.
func VerifyTrusted(clipPath, manifestPath string, trusted ...ed25519.PublicKey) error {
	pub, err := verify(clipPath, manifestPath)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(trusted, func(k ed25519.PublicKey) bool { return k.Equal(pub) }) {
		return fmt.Errorf("%w: fingerprint %s", ErrUntrustedKey, Fingerprint(pub))
	}
	return nil
}

func verify(clipPath, manifestPath string) (ed25519.PublicKey, error) {
	m, err := ReadManifest(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreadableManifest, err)
	}
	pub, _ := m.publicKey() // both checked by ParseManifest
	sig, _ := m.signature()
	if Fingerprint(pub) != m.KeyFingerprint {
		return nil, fmt.Errorf("%w: key fingerprint does not match the public key", ErrBadSignature)
	}
	if !ed25519.Verify(pub, m.Payload(), sig) {
		return nil, ErrBadSignature
	}
	sum, size, err := HashFile(clipPath)
	if err != nil {
		return nil, err
	}
	if size != m.Size {
		return nil, fmt.Errorf("%w: clip is %d bytes, manifest says %d", ErrHashMismatch, size, m.Size)
	}
	if sum != m.SHA256 {
		return nil, fmt.Errorf("%w: clip hashes to %s, manifest says %s", ErrHashMismatch, sum, m.SHA256)
	}
	return pub, nil
}
