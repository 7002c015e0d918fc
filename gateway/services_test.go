package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/gateway/config"
	"vigil/streams/evidence"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestEmptyDatabaseBesideRecordingsIsRefused is finding 10's second half:
// a data directory with recordings (or an evidence key) whose vigil.db is
// empty or missing must not be taken for a first start.
func TestEmptyDatabaseBesideRecordingsIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name    string
		prepare func(dir string) error
	}{
		{"0-byte db beside rec", func(dir string) error {
			if err := os.MkdirAll(filepath.Join(dir, "rec", "bjx-nsq-01"), 0o700); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "vigil.db"), nil, 0o600)
		}},
		{"no db beside clips", func(dir string) error { return os.MkdirAll(filepath.Join(dir, "clips"), 0o700) }},
		{"no db beside the evidence key", func(dir string) error {
			_, err := evidence.LoadOrCreateKey(dir)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := tt.prepare(dir); err != nil {
				t.Fatal(err)
			}
			svc, err := openServices(context.Background(), config.Cluster{}, dir, "admin-password-1", quietLog())
			if err == nil {
				svc.close()
				t.Fatal("started afresh over an earlier life's data")
			}
			if !errors.Is(err, ErrDatabaseMissing) || !strings.Contains(err.Error(), "restore vigil.db from backup") {
				t.Fatalf("error: %v", err)
			}
			if st, err := os.Stat(filepath.Join(dir, "vigil.db")); err == nil && st.Size() > 0 {
				t.Fatal("a database was initialised")
			}
		})
	}
}

// TestFreshDataDirStarts: a new, empty data directory is a first start,
// and the second start finds its own database.
func TestFreshDataDirStarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for range 2 {
		svc, err := openServices(context.Background(), config.Cluster{}, dir, "admin-password-1", quietLog())
		if err != nil {
			t.Fatal(err)
		}
		svc.close()
	}
	if _, err := os.Stat(filepath.Join(dir, evidence.KeyFile)); err != nil {
		t.Fatalf("no signing key for the audit checkpoints: %v", err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "vigil.db"): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", path, st.Mode().Perm(), want)
		}
	}
}
