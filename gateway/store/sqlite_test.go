package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOpenRefusesDamagedFile writes 8 KB of garbage into the pages of a
// database holding an audit trail: Open must fail naming the check, not
// start as if nothing happened.
func TestOpenRefusesDamagedFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2000 {
		if _, err := s.AppendAudit(ctx, AuditEntry{User: "li", Action: "view.start", Camera: fmt.Sprint("cam-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close() // checkpoints the WAL into the main file
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 8192)
	rand.Read(garbage)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Page-aligned, past the schema page, in the middle of the audit data.
	off := (st.Size() / 2) &^ 4095
	if _, err := f.WriteAt(garbage, off); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s, err = Open(path)
	if err == nil {
		s.Close()
		t.Fatal("a database with garbage in its pages opened")
	}
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "quick_check") {
		t.Fatalf("error does not name the check: %v", err)
	}
}

// TestOpenIntactFilePasses reopens an untouched database: the check must
// not refuse a healthy file.
func TestOpenIntactFilePasses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "vigil.db")
	for range 2 {
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendAudit(context.Background(), AuditEntry{Action: "login"}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestDatabaseFileModes checks that the database, its WAL and shared
// memory are 0600 and the directory Open creates is 0700, under a
// permissive umask, and that an old 0644 file is tightened.
func TestDatabaseFileModes(t *testing.T) {
	t.Parallel()
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AppendAudit(context.Background(), AuditEntry{Action: "login"}); err != nil {
		t.Fatal(err)
	}
	wantMode(t, dir, 0o700)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		wantMode(t, p, 0o600)
	}

	legacy := filepath.Join(t.TempDir(), "vigil.db")
	if err := os.WriteFile(legacy, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(legacy, 0o644)
	s2, err := Open(legacy)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	wantMode(t, legacy, 0o600)
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", filepath.Base(path), got, want)
	}
}
