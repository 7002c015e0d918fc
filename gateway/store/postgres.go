package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"

	"vigil/streams/redact"
)

// Advisory lock keys (any fixed 64-bit numbers, unique to vigil's uses).
const (
	pgLockAudit      = 0x76696769_6c000001 // "vigil" + 1
	pgLockMigrations = 0x76696769_6c000002
)

var postgresDialect = &dialect{
	name:       "postgres",
	numbered:   true,
	migrations: postgresMigrations,
	// The advisory lock is held until the transaction ends: appends from
	// every node queue on it, so the chain stays one line.
	lockAudit: func(ctx context.Context, t *sql.Tx) error {
		_, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgLockAudit))
		return err
	},
	lockMigrations: func(ctx context.Context, t *sql.Tx) error {
		_, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(pgLockMigrations))
		return err
	},
	isUniqueViolation: func(err error) bool {
		var pgErr *pgconn.PgError
		return errors.As(err, &pgErr) && pgErr.Code == "23505"
	},
}

// OpenPostgres connects to the PostgreSQL database at dsn (a postgres://
// URL or a key=value string) and brings its schema up to date. It fails
// within the context's deadline when the server does not answer.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// pgconn's message quotes the DSN, password included.
		return nil, fmt.Errorf("store: postgres: invalid connection string %s", RedactDSN(dsn))
	}
	name := fmt.Sprintf("postgres %s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	sqlDB, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", name, err)
	}
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: %s unreachable: %w", name, err)
	}
	return open(sqlDB, postgresDialect, name)
}

// OpenURL opens the store a config names: a postgres:// or postgresql://
// URL selects PostgreSQL, anything else is a SQLite file path.
func OpenURL(ctx context.Context, dsn string) (*Store, error) {
	if IsPostgresURL(dsn) {
		return OpenPostgres(ctx, dsn)
	}
	return Open(dsn)
}

// IsPostgresURL reports whether dsn names a PostgreSQL server.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// RedactDSN is dsn for logs and errors: a postgres:// URL with its
// credentials masked by the project's one rule (streams/redact); a
// key=value string not at all, since libpq lets it write "password =
// secret" or quote with backslashes, which no parameter rule can be
// trusted to find.
func RedactDSN(dsn string) string {
	if IsPostgresURL(dsn) {
		return redact.URL(dsn)
	}
	return "(connection string not shown)"
}
