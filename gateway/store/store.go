// Package store keeps the gateway's durable state: users, sessions, API
// tokens, layouts, walls, the audit chain and the clip index. One node keeps
// it in an embedded SQLite file; the nodes of a cluster share one
// PostgreSQL database. The repository methods are the same on both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors returned by the repository methods; test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

// Store is the gateway's database: SQLite for a single node, PostgreSQL
// shared by the nodes of a cluster. Both hold the same schema with the same
// meaning, and every method behaves alike on both. Its methods are safe for
// concurrent use.
type Store struct {
	db db
	d  *dialect

	// auditMu serialises audit appends within the process so the chain
	// never forks; the dialect's audit lock guards against other processes.
	auditMu sync.Mutex
}

// Driver names the database behind the store: "sqlite" or "postgres".
func (s *Store) Driver() string { return s.d.name }

// Close closes the database.
func (s *Store) Close() error {
	return s.db.Close()
}

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	return s.db.PingContext(ctx)
}

// open wraps an opened *sql.DB and brings its schema up to date.
func open(sqlDB *sql.DB, d *dialect, name string) (*Store, error) {
	s := &Store{db: db{DB: sqlDB, d: d}, d: d}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: %s: %w", name, err)
	}
	return s, nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx) error) error {
	t, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx{Tx: t, d: s.d}); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

// Times are stored as Unix milliseconds: they sort and compare in SQL, and
// hash identically after a round trip (the audit chain depends on that).
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isUniqueViolation reports a primary key or UNIQUE constraint failure.
func (s *Store) isUniqueViolation(err error) bool {
	return err != nil && s.d.isUniqueViolation(err)
}

// checkAffected turns "no row changed" into ErrNotFound.
func checkAffected(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
