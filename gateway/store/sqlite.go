package store

import (
	"context"
	"database/sql"
	"errors"
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

// ErrDamaged is returned by Open when the database file fails SQLite's
// quick_check: vigil refuses to serve from (and write into) a damaged file.
var ErrDamaged = errors.New("database damaged")

// DefaultBusyTimeout is how long a write waits for another writer of the
// SQLite file before it fails: long enough for a burst of logins on a
// busy machine, short enough that a database locked for good is reported.
const DefaultBusyTimeout = 15 * time.Second

// Open opens or creates the SQLite database at path (typically
// data/vigil.db), checks its integrity and brings its schema up to date.
// The directory is created 0700 and the database files are 0600: they hold
// password hashes, session tokens and the audit trail.
func Open(path string) (*Store, error) { return OpenSQLite(path, DefaultBusyTimeout) }

// OpenSQLite is Open with the time a write waits for another writer.
func OpenSQLite(path string, busyTimeout time.Duration) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		// The driver would read the rest as DSN parameters.
		return nil, fmt.Errorf("store: database path %q must not contain ? or #", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// SQLite creates -wal and -shm with the main file's mode, so a main
	// file created 0600 here (whatever the umask) keeps all three private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	// WAL lets readers proceed while a writer commits; busy_timeout makes
	// concurrent writers wait instead of failing; _txlock=immediate takes the
	// write lock at BEGIN so read-then-write transactions cannot deadlock.
	dsn := path + fmt.Sprintf("?_pragma=journal_mode(WAL)&_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := quickCheck(sqlDB, path); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s, err := open(sqlDB, sqliteDialect, path)
	if err != nil {
		return nil, err
	}
	if err := restrictFiles(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// quickCheck runs PRAGMA quick_check, which reads every page of every
// table and index: garbage written into the file is found at start rather
// than served as data (or, in the audit chain, silently skipped).
func quickCheck(sqlDB *sql.DB, path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rows, err := sqlDB.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return fmt.Errorf("store: %s: %w: PRAGMA quick_check failed: %v; restore it from backup", path, ErrDamaged, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("store: %s: %w: PRAGMA quick_check failed: %v; restore it from backup", path, ErrDamaged, err)
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w: PRAGMA quick_check failed: %v; restore it from backup", path, ErrDamaged, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: %s: %w: PRAGMA quick_check found: %s; restore it from backup",
			path, ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// restrictFiles makes the database and its WAL and shared-memory files
// 0600, also when an older vigil created them 0644.
func restrictFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}
