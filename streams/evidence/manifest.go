package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Manifest describes one exported clip. It is stored as JSON beside the
// clip (<id>.manifest.json next to <id>.mp4).
type Manifest struct {
	Version    int       `json:"version"`
	Camera     string    `json:"camera"`
	Station    string    `json:"station"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Exporter   string    `json:"exporter"` // the user who exported it
	Reason     string    `json:"reason"`
	ExportedAt time.Time `json:"exported_at"`
	SHA256     string    `json:"sha256"` // hex, of the whole MP4
	Size       int64     `json:"size"`
	// Missing lists the parts of the requested range the clip does not
	// show and why: not_recorded, damaged (unreadable on disk) or
	// tampered (recorded fragments whose hash no longer matched were left
	// out). Fragments says how the recording's fragments were checked.
	// Both are absent from manifests made before they existed.
	Missing   []Gap          `json:"missing,omitempty"`
	Fragments *FragmentCheck `json:"fragments,omitempty"`
	// PublicKey (base64, raw Ed25519) lets anyone check the signature;
	// KeyFingerprint ties it to the gateway that made it.
	PublicKey      string `json:"public_key"`
	KeyFingerprint string `json:"key_fingerprint"`
	Signature      string `json:"signature"` // base64 Ed25519 over Payload()
}

// Gap is a part of the requested range missing from the clip.
type Gap struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason"`
}

// Reasons of a Gap that mean the recording itself is in doubt.
const (
	GapTampered = "tampered"
	GapDamaged  = "damaged"
)

// FragmentCheck counts the recorded fragments an export read by what
// their hash chain said.
type FragmentCheck struct {
	Verified int `json:"verified"`
	Tampered int `json:"tampered"` // left out of the clip
	Unhashed int `json:"unhashed"` // recorded before fragment hashing: exported unchecked
	Damaged  int `json:"damaged"`  // unreadable spots skipped
}

// Version is the manifest format written by this package.
const Version = 1

// maxManifest bounds what is read: a manifest is well under a kilobyte.
const maxManifest = 64 << 10

// payloadPrefix separates vigil's signatures from any other use of a key.
const payloadPrefix = "vigil-clip-manifest-v1\n"

// Payload returns the bytes the signature covers: a fixed prefix, then the
// manifest without its signature as compact JSON in field order, times in
// UTC with nanoseconds. It depends only on the values, never on how the
// stored JSON was formatted.
func (m *Manifest) Payload() []byte {
	c := *m
	c.Signature = ""
	c.From, c.To, c.ExportedAt = c.From.UTC(), c.To.UTC(), c.ExportedAt.UTC()
	c.Missing = make([]Gap, len(m.Missing))
	for i, g := range m.Missing {
		c.Missing[i] = Gap{From: g.From.UTC(), To: g.To.UTC(), Reason: g.Reason}
	}
	if len(c.Missing) == 0 {
		c.Missing = nil
	}
	b, err := json.Marshal(&c)
	if err != nil {
		panic(err) // only strings, numbers and UTC times: cannot fail
	}
	return append([]byte(payloadPrefix), b...)
}

// ParseManifest decodes a stored manifest strictly: unknown fields are
// refused, since they would not be covered by the signature.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > maxManifest {
		return nil, fmt.Errorf("manifest of %d bytes is too large", len(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the manifest")
	}
	if m.Version != Version {
		return nil, fmt.Errorf("manifest version %d, want %d", m.Version, Version)
	}
	if _, err := m.publicKey(); err != nil {
		return nil, err
	}
	if _, err := m.signature(); err != nil {
		return nil, err
	}
	if h, err := hex.DecodeString(m.SHA256); err != nil || len(h) != 32 || m.SHA256 != strings.ToLower(m.SHA256) {
		return nil, errors.New("sha256 is not 64 lowercase hex digits")
	}
	if m.Size < 0 {
		return nil, errors.New("negative size")
	}
	return &m, nil
}

func (m *Manifest) publicKey() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(m.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("public_key is not a base64 Ed25519 key")
	}
	return ed25519.PublicKey(b), nil
}

func (m *Manifest) signature() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil || len(b) != ed25519.SignatureSize {
		return nil, errors.New("signature is not a base64 Ed25519 signature")
	}
	return b, nil
}

// ReadManifest reads and parses a manifest file.
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, err
	}
	return ParseManifest(b)
}

// WriteManifest stores m as indented JSON at path, atomically.
func WriteManifest(path string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Chmod(0o640)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ManifestPath returns the manifest path that goes with a clip:
// clip.mp4 -> clip.manifest.json.
func ManifestPath(clipPath string) string {
	return strings.TrimSuffix(clipPath, filepath.Ext(clipPath)) + ".manifest.json"
}

// Doubts lists, one line each for a person, what a verified clip does
// not vouch for: parts left out as tampered or damaged, parts not
// recorded, fragments exported unchecked. tampered is true when part of
// the recording was altered: the clip is what was signed, but the
// recording it was cut from is not intact.
func (m *Manifest) Doubts() (lines []string, tampered bool) {
	for _, g := range m.Missing {
		span := g.From.UTC().Format(time.RFC3339Nano) + " – " + g.To.UTC().Format(time.RFC3339Nano)
		switch g.Reason {
		case GapTampered:
			tampered = true
			lines = append(lines, "TAMPERED, left out: "+span+": the recorded fragments no longer matched their hashes")
		case GapDamaged:
			lines = append(lines, "damaged, left out: "+span+": the recording could not be read there")
		default:
			lines = append(lines, "not recorded: "+span)
		}
	}
	if f := m.Fragments; f != nil && f.Unhashed > 0 {
		lines = append(lines, fmt.Sprintf("unchecked: %d recorded fragments predate fragment hashing", f.Unhashed))
	}
	return lines, tampered
}
