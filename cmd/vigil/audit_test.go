package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
)

// TestMain lets a test run this binary as `vigil` (VIGIL_TEST_MAIN=1), to
// see main's real exit code.
func TestMain(m *testing.M) {
	if os.Getenv("VIGIL_TEST_MAIN") == "1" {
		os.Args = append([]string{"vigil"}, strings.Fields(os.Getenv("VIGIL_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	storetest.Main(m)
}

// vigil runs the command with args and returns its output and exit code.
func vigil(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "VIGIL_TEST_MAIN=1", "VIGIL_TEST_ARGS="+strings.Join(args, " "))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		if _, err := st.AppendAudit(ctx, store.AuditEntry{User: "li", Action: "view.start", Camera: fmt.Sprintf("bjn-hall-0%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code != 0 || !strings.HasPrefix(out, "intact (5 entries)\n") {
		t.Fatalf("intact log: exit %d, %q", code, out)
	}

	// Someone with the file drops the triggers and edits entry 3.
	db, err := sql.Open("sqlite", filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`,
		`UPDATE audit SET camera = 'bjx-nsq-01' WHERE seq = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out, code = vigil(t, "audit", "verify", "-data", dir)
	if code == 0 || !strings.Contains(out, "BROKEN at seq 3") {
		t.Fatalf("tampered log: exit %d, %q", code, out)
	}

	// A missing database is an error, not a new empty log.
	if out, code = vigil(t, "audit", "verify", "-data", filepath.Join(dir, "nope")); code == 0 {
		t.Fatalf("missing database: %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope", "vigil.db")); err == nil {
		t.Fatal("verify created a database")
	}
	if out, code = vigil(t, "audit"); code == 0 || !strings.Contains(out, "usage") {
		t.Fatalf("no subcommand: %d %q", code, out)
	}
}

// TestAuditVerifyFromPostgres checks a cluster's chain in its shared
// PostgreSQL database, given by URL or by the config's cluster section.
func TestAuditVerifyFromPostgres(t *testing.T) {
	url := storetest.FreshDatabase(t)
	ctx := context.Background()
	st, err := store.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := st.AppendAudit(ctx, store.AuditEntry{User: "li", Action: "view.start", Camera: fmt.Sprintf("bjx-nsq-0%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if out, code := vigil(t, "audit", "verify", "-store", url); code != 0 || !strings.HasPrefix(out, "intact (4 entries)\n") {
		t.Fatalf("intact log by URL: exit %d, %q", code, out)
	}
	dir := t.TempDir()
	storeFile, secretFile, cfgFile := filepath.Join(dir, "store"), filepath.Join(dir, "secret"), filepath.Join(dir, "vigil.yaml")
	os.WriteFile(storeFile, []byte(url+"\n"), 0o600)
	os.WriteFile(secretFile, []byte("0123456789abcdef0123\n"), 0o600)
	os.WriteFile(cfgFile, []byte(`stations:
  - id: bjx
    nodes: [bjx-1]
    cameras: [{id: bjx-nsq-01, url: "rtsp://127.0.0.1:1/x"}]
cluster:
  store_file: `+storeFile+`
  secret_file: `+secretFile+`
  nodes: [{name: bjx-1, api: "http://127.0.0.1:1", relay: "127.0.0.1:2"}]
`), 0o600)
	if out, code := vigil(t, "audit", "verify", "-config", cfgFile); code != 0 || !strings.HasPrefix(out, "intact (4 entries)\n") {
		t.Fatalf("intact log by config: exit %d, %q", code, out)
	}

	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_update ON audit`, `UPDATE audit SET camera = 'bjx-nsq-09' WHERE seq = 2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := vigil(t, "audit", "verify", "-store", url); code == 0 || !strings.Contains(out, "BROKEN at seq 2") {
		t.Fatalf("tampered log: exit %d, %q", code, out)
	}
}
