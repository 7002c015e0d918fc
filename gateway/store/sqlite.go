package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers driver "sqlite"
)

var sqliteDialect = &dialect{
	name:       "sqlite",
	migrations: sqliteMigrations,
	// The IMMEDIATE transaction (_txlock below) takes the database's write
	// lock at BEGIN: appends and migrations of other processes wait for it.
	lockAudit:      func(context.Context, *sql.Tx) error { return nil },
	lockMigrations: func(context.Context, *sql.Tx) error { return nil },
	isUniqueViolation: func(err error) bool {
		return strings.Contains(err.Error(), "UNIQUE constraint failed")
	},
}

// DefaultBusyTimeout is how long a write waits for another writer of the
// SQLite file before it fails: long enough for a burst of logins on a
// busy machine, short enough that a database locked for good is reported.
const DefaultBusyTimeout = 15 * time.Second

// Open opens or creates the SQLite database at path (typically
// data/vigil.db) and brings its schema up to date.
func Open(path string) (*Store, error) { return OpenSQLite(path, DefaultBusyTimeout) }

// OpenSQLite is Open with the time a write waits for another writer.
func OpenSQLite(path string, busyTimeout time.Duration) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		// The driver would read the rest as DSN parameters.
		return nil, fmt.Errorf("store: database path %q must not contain ? or #", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// WAL lets readers proceed while a writer commits; busy_timeout makes
	// concurrent writers wait instead of failing; _txlock=immediate takes the
	// write lock at BEGIN so read-then-write transactions cannot deadlock.
	dsn := path + fmt.Sprintf("?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return open(sqlDB, sqliteDialect, path)
}
