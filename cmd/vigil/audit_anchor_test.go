package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/gateway/audit"
	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
	"vigil/streams/evidence"
)

// anchoredDataDir is a data directory as the gateway leaves it: 30 audit
// entries written through the audit log with a checkpoint every 10, signed
// with the directory's evidence key (file, table and log line). It returns
// the directory and a connection to its database with the append-only
// guards dropped, as an attacker holding the file would.
func anchoredDataDir(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	key, err := evidence.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	cp := audit.NewCheckpointer(audit.CheckpointOptions{Store: st, Signer: key,
		File: filepath.Join(dir, audit.CheckpointFile), Every: 10})
	l := audit.New(audit.Options{Store: st, Checkpoints: cp, Logger: slog.New(slog.DiscardHandler)})
	for i := range 30 {
		l.Record(context.Background(), audit.Entry{User: "li", Action: audit.ActionViewStart, Camera: fmt.Sprint("bjn-hall-", i)})
	}
	l.Close()
	st.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return dir, db
}

func TestAuditVerifyAnchoredIntact(t *testing.T) {
	dir, _ := anchoredDataDir(t)
	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code != 0 || !strings.HasPrefix(out, "intact (30 entries)\nanchored: 4 signed checkpoints hold, newest seq 30") {
		t.Fatalf("exit %d, %q", code, out)
	}
	lines, _ := os.ReadFile(filepath.Join(dir, audit.CheckpointFile))
	if n := strings.Count(string(lines), "\n"); n != 3 {
		t.Fatalf("checkpoint file holds %d lines: %s", n, lines)
	}
}

// TestAuditVerifyCatchesTruncation deletes the newest 10 entries (and the
// store's checkpoints): the checkpoint file still shows seq 30.
func TestAuditVerifyCatchesTruncation(t *testing.T) {
	dir, db := anchoredDataDir(t)
	for _, q := range []string{`DELETE FROM audit WHERE seq > 20`, `DELETE FROM audit_checkpoints`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code == 0 || !strings.Contains(out, "BROKEN at seq 21") || !strings.Contains(out, "removed from the end") {
		t.Fatalf("truncated log: exit %d, %q", code, out)
	}
}

// TestAuditVerifyCatchesRecomputation edits entry 3 and recomputes every
// hash after it with plain SHA-256, as the attack run did.
func TestAuditVerifyCatchesRecomputation(t *testing.T) {
	dir, db := anchoredDataDir(t)
	if _, err := db.Exec(`UPDATE audit SET camera = 'bjx-nsq-01' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	recomputeChain(t, db)
	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code == 0 || !strings.Contains(out, "BROKEN at seq 10") || !strings.Contains(out, "recomputed") {
		t.Fatalf("recomputed log: exit %d, %q", code, out)
	}
}

// recomputeChain rewrites every prev_hash and hash from the rows' content,
// with the chain's published rule (store.AuditEntry hashing).
func recomputeChain(t *testing.T, db *sql.DB) {
	t.Helper()
	st, err := store.Open(dbPath(t, db))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.ListAudit(context.Background(), store.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	prev := strings.Repeat("0", 64)
	for i := len(all) - 1; i >= 0; i-- {
		e := all[i]
		e.PrevHash = prev
		e.Hash = store.AuditHash(e)
		if _, err := db.Exec(`UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?`, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
}

func dbPath(t *testing.T, db *sql.DB) string {
	t.Helper()
	var seq int
	var name, file string
	if err := db.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestAuditVerifyCatchesForgedCheckpoint: a checkpoint line whose
// signature does not verify fails verify.
func TestAuditVerifyCatchesForgedCheckpoint(t *testing.T) {
	dir, _ := anchoredDataDir(t)
	path := filepath.Join(dir, audit.CheckpointFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Move the newest checkpoint back to seq 20 with seq 20's hash missing:
	// any edit breaks the signature.
	forged := strings.Replace(string(b), `{"seq":30,`, `{"seq":29,`, 1)
	if forged == string(b) {
		t.Fatalf("no seq 30 line in %s", b)
	}
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code == 0 || !strings.Contains(out, "signature invalid") {
		t.Fatalf("forged checkpoint: exit %d, %q", code, out)
	}
}

// TestAuditVerifyReportsLoss: a loss marker makes verify fail with the
// count and where, instead of "intact".
func TestAuditVerifyReportsLoss(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st.AppendAudit(ctx, store.AuditEntry{User: "li", Action: audit.ActionViewStart})
	st.AppendAudit(ctx, store.AuditEntry{Action: audit.ActionAuditLost, Detail: []byte(`{"count":3}`)})
	st.Close()
	out, code := vigil(t, "audit", "verify", "-data", dir)
	if code == 0 || !strings.Contains(out, "INCOMPLETE: 3 entries lost: 3 before seq 2") {
		t.Fatalf("log with a loss: exit %d, %q", code, out)
	}
}

// TestAuditVerifyClusterCheckpoints: a cluster's chain in PostgreSQL,
// checked against a node's checkpoint file and evidence key: intact, then
// its newest entries deleted in the database.
func TestAuditVerifyClusterCheckpoints(t *testing.T) {
	url := storetest.FreshDatabase(t)
	st, err := store.OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	key, err := evidence.LoadOrCreateKey(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	cpFile := filepath.Join(t.TempDir(), audit.CheckpointFile)
	l := audit.New(audit.Options{Store: st, Logger: slog.New(slog.DiscardHandler),
		Checkpoints: audit.NewCheckpointer(audit.CheckpointOptions{Store: st, Signer: key, File: cpFile, Every: 5})})
	for i := range 10 {
		l.Record(context.Background(), audit.Entry{User: "li", Action: audit.ActionViewStart, Camera: fmt.Sprint("bjx-nsq-", i)})
	}
	l.Close()
	st.Close()
	args := []string{"audit", "verify", "-store", url, "-checkpoints", cpFile, "-data", keyDir}
	if out, code := vigil(t, args...); code != 0 || !strings.Contains(out, "anchored: 3 signed checkpoints hold, newest seq 10") {
		t.Fatalf("intact cluster chain: exit %d, %q", code, out)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_delete ON audit`, `DELETE FROM audit WHERE seq > 7`, `DELETE FROM audit_checkpoints`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := vigil(t, args...); code == 0 || !strings.Contains(out, "removed from the end") {
		t.Fatalf("truncated cluster chain: exit %d, %q", code, out)
	}
}
