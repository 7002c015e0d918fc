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

// signedClipWith writes a clip signed with dataDir's key whose manifest
// records gaps and fragment checks, as an export over a damaged or
// tampered recording writes it.
func signedClipWith(t *testing.T, dataDir string, missing []evidence.Gap, frags *evidence.FragmentCheck) string {
	t.Helper()
	key, err := evidence.LoadOrCreateKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clip := filepath.Join(t.TempDir(), "incident.mp4")
	if err := os.WriteFile(clip, []byte("\x00\x00\x00\x18ftypisom clip bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m, err := key.Sign(clip, evidence.Manifest{Camera: "bjx-nsq-01", From: now.Add(-time.Minute), To: now,
		Exporter: "li", Reason: "test", ExportedAt: now, Missing: missing, Fragments: frags})
	if err != nil {
		t.Fatal(err)
	}
	if err := evidence.WriteManifest(evidence.ManifestPath(clip), m); err != nil {
		t.Fatal(err)
	}
	return clip
}

// A clip cut from a tampered recording is what was signed, but verify
// must not call it intact: it names the part left out and fails. Parts
// not recorded or unchecked are listed without failing.
func TestVerifyReportsTamperedRecording(t *testing.T) {
	gw := t.TempDir()
	at := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	tampered := signedClipWith(t, gw, []evidence.Gap{{From: at, To: at.Add(time.Second), Reason: evidence.GapTampered}},
		&evidence.FragmentCheck{Verified: 5, Tampered: 1})
	out, code := vigil(t, "verify", "-data", gw, tampered)
	if code == 0 || strings.Contains(out, "intact\n") || !strings.Contains(out, "TAMPERED, left out: 2026-12-06T03:00:00Z – 2026-12-06T03:00:01Z") {
		t.Fatalf("tampered recording: exit %d: %s", code, out)
	}
	gaps := signedClipWith(t, gw, []evidence.Gap{{From: at, To: at.Add(time.Second), Reason: "not_recorded"}},
		&evidence.FragmentCheck{Verified: 2, Unhashed: 4})
	out, code = vigil(t, "verify", "-data", gw, gaps)
	if code != 0 || !strings.Contains(out, "not recorded: ") || !strings.Contains(out, "unchecked: 4") ||
		!strings.HasSuffix(strings.TrimSpace(out), "intact, apart from the parts listed") {
		t.Fatalf("gaps: exit %d: %s", code, out)
	}
	// The gaps are signed: calling a tampered part "not recorded" breaks the signature.
	mp := evidence.ManifestPath(tampered)
	b, _ := os.ReadFile(mp)
	os.WriteFile(mp, []byte(strings.Replace(string(b), `"tampered"`, `"not_recorded"`, 1)), 0o600)
	if out, code := vigil(t, "verify", "-data", gw, tampered); code == 0 || !strings.Contains(out, "signature") {
		t.Fatalf("edited gap reason: exit %d: %s", code, out)
	}
}
