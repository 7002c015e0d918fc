package evidence

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, st.Mode())
	}
	k2, err := LoadOrCreateKey(dir) // a restart loads the same key
	if err != nil || !k1.Public().Equal(k2.Public()) {
		t.Fatalf("second load: %v, same key %v", err, k1.Public().Equal(k2.Public()))
	}
	if len(k1.Fingerprint()) != 64 {
		t.Fatalf("fingerprint %q", k1.Fingerprint())
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, err := LoadOrCreateKey(dir); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(dir, KeyFile)); st.Mode().Perm() != 0o600 {
		t.Fatalf("loose key mode not tightened: %v", st.Mode())
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("garbage"), 0o600)
	if _, err := LoadOrCreateKey(dir); err == nil {
		t.Fatal("a corrupt key was accepted")
	}
}

// signedClip writes a fake clip and its signed manifest.
func signedClip(t *testing.T) (k *Key, clip, manifest string) {
	t.Helper()
	dir := t.TempDir()
	k, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	clip = filepath.Join(dir, "0001.mp4")
	if err := os.WriteFile(clip, bytes.Repeat([]byte("video"), 1000), 0o640); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 29, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))
	m, err := k.Sign(clip, Manifest{Camera: "bjx-nsq-03", Station: "bjx", From: from, To: from.Add(time.Minute),
		Exporter: "operator1", Reason: "incident 42: 北广场", ExportedAt: from.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	manifest = ManifestPath(clip)
	if err := WriteManifest(manifest, m); err != nil {
		t.Fatal(err)
	}
	return k, clip, manifest
}

func TestVerifyAcceptsIntactClip(t *testing.T) {
	t.Parallel()
	k, clip, manifest := signedClip(t)
	if manifest != strings.TrimSuffix(clip, ".mp4")+".manifest.json" {
		t.Fatalf("manifest path %s", manifest)
	}
	if err := Verify(clip, manifest); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := VerifyTrusted(clip, manifest, k.Public()); err != nil {
		t.Fatalf("VerifyTrusted: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if err := VerifyTrusted(clip, manifest, other); !errors.Is(err, ErrUntrustedKey) {
		t.Fatalf("VerifyTrusted with another key: %v", err)
	}
}

func TestVerifyDetectsFlippedByte(t *testing.T) {
	t.Parallel()
	_, clip, manifest := signedClip(t)
	b, _ := os.ReadFile(clip)
	b[len(b)/2] ^= 0x01
	os.WriteFile(clip, b, 0o640)
	if err := Verify(clip, manifest); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("Verify after a flipped byte: %v, want hash mismatch", err)
	}
}

func TestVerifyDetectsEditedManifest(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(string) string{
		"reason":   func(s string) string { return strings.Replace(s, "incident 42", "incident 43", 1) },
		"time":     func(s string) string { return strings.Replace(s, "14:00:00+08:00", "14:00:01+08:00", 1) },
		"exporter": func(s string) string { return strings.Replace(s, "operator1", "operator2", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, clip, manifest := signedClip(t)
			b, _ := os.ReadFile(manifest)
			edited := edit(string(b))
			if edited == string(b) {
				t.Fatalf("edit changed nothing in %s", b)
			}
			os.WriteFile(manifest, []byte(edited), 0o640)
			if err := Verify(clip, manifest); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Verify after editing the manifest: %v, want bad signature", err)
			}
		})
	}
}

func TestVerifyIgnoresFormatting(t *testing.T) {
	t.Parallel()
	_, clip, manifest := signedClip(t)
	m, err := ReadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	// Same values, other layout and time zone: still valid.
	m.From = m.From.UTC()
	if err := WriteManifest(manifest, m); err != nil {
		t.Fatal(err)
	}
	if err := Verify(clip, manifest); err != nil {
		t.Fatalf("Verify after reformatting: %v", err)
	}
}

func TestVerifyUnreadableManifest(t *testing.T) {
	t.Parallel()
	_, clip, manifest := signedClip(t)
	for name, content := range map[string]string{
		"not json":      "{",
		"unknown field": `{"version":1,"extra":true}`,
		"bad version":   `{"version":2}`,
		"empty":         "",
	} {
		os.WriteFile(manifest, []byte(content), 0o640)
		if err := Verify(clip, manifest); !errors.Is(err, ErrUnreadableManifest) {
			t.Errorf("%s: %v, want unreadable manifest", name, err)
		}
	}
	if err := Verify(clip, manifest+".missing"); !errors.Is(err, ErrUnreadableManifest) {
		t.Errorf("missing manifest: %v", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	dir := f.TempDir()
	k, _ := LoadOrCreateKey(dir)
	clip := filepath.Join(dir, "c.mp4")
	os.WriteFile(clip, []byte("x"), 0o600)
	m, _ := k.Sign(clip, Manifest{Camera: "c", From: time.Unix(0, 0), To: time.Unix(60, 0)})
	WriteManifest(filepath.Join(dir, "m.json"), m)
	good, _ := os.ReadFile(filepath.Join(dir, "m.json"))
	f.Add(good)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"from":"2026-01-01T00:00:00Z"} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		// What parses has a stable payload through a write/read cycle.
		var buf bytes.Buffer
		path := filepath.Join(t.TempDir(), "m.json")
		if err := WriteManifest(path, m); err != nil {
			t.Fatal(err)
		}
		m2, err := ReadManifest(path)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		buf.Write(m.Payload())
		if !bytes.Equal(buf.Bytes(), m2.Payload()) {
			t.Fatalf("payload changed through a round trip")
		}
	})
}
