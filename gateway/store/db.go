package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// dialect is what differs between the two databases the store runs on.
// Queries are written once, in SQLite's form with ? placeholders and
// double-quoted identifiers (both databases read those); the dialect
// rewrites placeholders for PostgreSQL and supplies its own migrations.
type dialect struct {
	name       string // "sqlite" or "postgres"
	numbered   bool   // placeholders are $1, $2, … instead of ?
	migrations []string
	// lockAudit serialises audit appends across processes inside tx
	// (PostgreSQL: an advisory lock; SQLite: the IMMEDIATE transaction
	// already holds the database's write lock).
	lockAudit func(ctx context.Context, tx *sql.Tx) error
	// lockMigrations makes concurrent starts of several nodes migrate once.
	lockMigrations    func(ctx context.Context, tx *sql.Tx) error
	isUniqueViolation func(error) bool
}

// db is a *sql.DB whose queries are rewritten for the dialect. It keeps the
// *sql.DB method names so repository code reads like plain database/sql.
type db struct {
	*sql.DB
	d *dialect
}

func (c db) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.DB.ExecContext(ctx, c.d.rebind(q), args...)
}

func (c db) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.DB.QueryContext(ctx, c.d.rebind(q), args...)
}

func (c db) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.DB.QueryRowContext(ctx, c.d.rebind(q), args...)
}

// tx is a *sql.Tx with the same rewriting.
type tx struct {
	*sql.Tx
	d *dialect
}

func (t tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL, leaving
// question marks inside quoted strings and identifiers alone.
func (d *dialect) rebind(q string) string {
	if !d.numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
