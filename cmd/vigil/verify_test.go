package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/streams/evidence"
)

// signedClip writes a fake clip signed with the key of dataDir.
func signedClip(t *testing.T, dataDir string) string {
	t.Helper()
	key, err := evidence.LoadOrCreateKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(t.TempDir(), "incident.mp4")
	if err := os.WriteFile(clip, []byte("\x00\x00\x00\x18ftypisom clip bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := key.Sign(clip, evidence.Manifest{Camera: "bjx-nsq-01", Station: "bjx", From: time.Now().Add(-time.Minute),
		To: time.Now(), Exporter: "li", Reason: "test", ExportedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := evidence.WriteManifest(evidence.ManifestPath(clip), m); err != nil {
		t.Fatal(err)
	}
	return clip
}

func TestVerify(t *testing.T) {
	gw := t.TempDir()
	clip := signedClip(t, gw)
	if out, code := vigil(t, "verify", "-data", gw, clip); code != 0 || strings.TrimSpace(out) != "intact" {
		t.Fatalf("trusted: exit %d: %s", code, out)
	}
	manifest := evidence.ManifestPath(clip)
	moved := filepath.Join(t.TempDir(), "m.json")
	if err := os.Rename(manifest, moved); err != nil {
		t.Fatal(err)
	}
	if out, code := vigil(t, "verify", "-data", gw, clip, moved); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("manifest given: exit %d: %s", code, out)
	}
	if out, code := vigil(t, "verify", "-data", gw, clip); code == 0 || !strings.Contains(out, "manifest unreadable") {
		t.Fatalf("no manifest: exit %d: %s", code, out)
	}
	os.Rename(moved, manifest)

	// Without the gateway's key: the manifest's own key, with a note.
	out, code := vigil(t, "verify", "-data", t.TempDir(), clip)
	if code != 0 || !strings.Contains(out, "note: no gateway key") || !strings.HasSuffix(strings.TrimSpace(out), "intact") {
		t.Fatalf("untrusted: exit %d: %s", code, out)
	}
	// Another gateway's key is refused.
	if out, code := vigil(t, "verify", "-data", t.TempDir()+"/other", clip); code != 0 {
		t.Fatalf("other dir without key: exit %d: %s", code, out)
	}
	other := t.TempDir()
	if _, err := evidence.LoadOrCreateKey(other); err != nil {
		t.Fatal(err)
	}
	if out, code := vigil(t, "verify", "-data", other, clip); code == 0 || !strings.Contains(out, "untrusted key") {
		t.Fatalf("other gateway: exit %d: %s", code, out)
	}

	b, _ := os.ReadFile(clip)
	b[len(b)-1] ^= 1
	os.WriteFile(clip, b, 0o600)
	if out, code := vigil(t, "verify", "-data", gw, clip); code == 0 || strings.Contains(out, "intact") || !strings.Contains(out, "SHA-256") {
		t.Fatalf("tampered: exit %d: %s", code, out)
	}
	if _, code := vigil(t, "verify"); code == 0 {
		t.Fatal("no arguments accepted")
	}
}
