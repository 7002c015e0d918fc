package store

import (
	"context"
	"fmt"
)

// migrate applies the migrations the database has not seen yet, each in
// its own transaction together with the version bump. Every step holds the
// dialect's migration lock, so nodes of a cluster that start together (a
// rolling upgrade, a restart of all) migrate once, one after the other.
func (s *Store) migrate(ctx context.Context) error {
	err := s.inTx(ctx, func(t tx) error {
		if err := s.d.lockMigrations(ctx, t.Tx); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		_, err := t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		done, err := s.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) migrateOne(ctx context.Context) (done bool, err error) {
	migrations := s.d.migrations
	err = s.inTx(ctx, func(t tx) error {
		if err := s.d.lockMigrations(ctx, t.Tx); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var v int
		err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this binary (%d)", v, len(migrations))
		}
		if v == len(migrations) {
			done = true
			return nil
		}
		if _, err := t.Tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return fmt.Errorf("migration %d: record version: %w", v+1, err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO schema_version VALUES (?)`, v+1); err != nil {
			return fmt.Errorf("migration %d: record version: %w", v+1, err)
		}
		return nil
	})
	return done, err
}

// SchemaVersion returns the version the database is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}
