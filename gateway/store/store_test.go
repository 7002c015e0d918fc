package store

import (
	"context"
	"path/filepath"
	"testing"

	"vigil/gateway/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testDB is one database engine the store suite runs on.
type testDB struct {
	name string
	// fresh returns the DSN of a new, empty database.
	fresh func(t *testing.T) string
	// dropAuditGuards removes the append-only triggers, as an attacker with
	// direct database access could.
	dropAuditGuards string
}

var testDBs = []testDB{
	{
		name:            "sqlite",
		fresh:           func(t *testing.T) string { return filepath.Join(t.TempDir(), "data", "vigil.db") },
		dropAuditGuards: `DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete`,
	},
	{
		name:            "postgres",
		fresh:           func(t *testing.T) string { return storetest.FreshDatabase(t) },
		dropAuditGuards: `DROP TRIGGER audit_no_update ON audit; DROP TRIGGER audit_no_delete ON audit`,
	},
}

// forEachDB runs fn as a subtest on every engine: the store's behaviour
// must be the same on SQLite and PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, db testDB)) {
	for _, db := range testDBs {
		t.Run(db.name, func(t *testing.T) { fn(t, db) })
	}
}

// open opens a fresh store on db; the DSN reopens the same database.
func (db testDB) open(t *testing.T) (*Store, string) {
	t.Helper()
	dsn := db.fresh(t)
	s, err := reopen(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

func reopen(dsn string) (*Store, error) {
	return OpenURL(context.Background(), dsn)
}

func TestOpenMigratesAndReopens(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, dsn := db.open(t)
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != len(s.d.migrations) {
			t.Fatalf("version = %d, %v", v, err)
		}
		s.Close()

		// Reopening applies nothing twice.
		s2, err := reopen(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		var rows int
		s2.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_version`).Scan(&rows)
		if v, _ := s2.SchemaVersion(ctx); v != len(s2.d.migrations) || rows != 1 {
			t.Fatalf("after reopen version = %d, rows = %d", v, rows)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := testDBs[0].open(t)
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v", fk, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		s, dsn := db.open(t)
		if _, err := s.db.ExecContext(context.Background(), `UPDATE schema_version SET version = 999`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := reopen(dsn); err == nil {
			t.Fatal("opened a database from the future")
		}
	})
}

func TestOpenRefusesDSNCharacters(t *testing.T) {
	t.Parallel()
	if _, err := Open(filepath.Join(t.TempDir(), "a?mode=ro")); err == nil {
		t.Fatal("accepted a path with ?")
	}
}
