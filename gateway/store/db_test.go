package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b = ?`, `a = $1 AND b = $2`},
		{`x = '?' AND y = ?`, `x = '?' AND y = $1`},
		{`"we?ird" = ? AND z = 'it''s ?' OR w IN (?, ?)`, `"we?ird" = $1 AND z = 'it''s ?' OR w IN ($2, $3)`},
	}
	for _, tt := range tests {
		if got := postgresDialect.rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := sqliteDialect.rebind(tt.in); got != tt.in {
			t.Errorf("sqlite rebind changed %q", tt.in)
		}
	}
}

// TestAuditChainAcrossNodes has several processes' worth of stores (each
// its own connection pool, as separate nodes have) append to one database
// at once: the chain must stay one line with no fork and no gap.
func TestAuditChainAcrossNodes(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		first, dsn := db.open(t)
		nodes := []*Store{first}
		for range 3 {
			s, err := reopen(dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			nodes = append(nodes, s)
		}
		var wg sync.WaitGroup
		for i, s := range nodes {
			for w := range 3 {
				wg.Go(func() {
					for j := range 10 {
						_, err := s.AppendAudit(ctx, AuditEntry{User: fmt.Sprint("node", i), Action: fmt.Sprint("a", w, j)})
						if err != nil {
							t.Error(err)
						}
					}
				})
			}
		}
		wg.Wait()
		n, err := first.VerifyAuditCount(ctx)
		if err != nil || n != int64(len(nodes)*3*10) {
			t.Fatalf("verified %d entries, %v", n, err)
		}
	})
}

func TestPostgresAuditRefusesTruncate(t *testing.T) {
	t.Parallel()
	s, _ := testDBs[1].open(t)
	ctx := context.Background()
	if _, err := s.AppendAudit(ctx, AuditEntry{User: "a", Action: "login"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `TRUNCATE audit`); err == nil {
		t.Fatal("TRUNCATE allowed")
	}
}

func TestOpenPostgresErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := OpenPostgres(ctx, "postgres://vigil:s3cret@127.0.0.1:1/vigil?connect_timeout=2")
	if err == nil {
		t.Fatal("opened an unreachable server")
	}
	for _, leak := range []string{"s3cret"} {
		if contains(err.Error(), leak) {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if _, err := OpenPostgres(ctx, "postgres://vigil:s3cret@[bad"); err == nil || contains(err.Error(), "s3cret") {
		t.Errorf("bad URL: %v", err)
	}
}

func TestRedactDSN(t *testing.T) {
	t.Parallel()
	got := RedactDSN("postgres://vigil:s3cret@db:5432/vigil?sslmode=disable&password=p2")
	if contains(got, "s3cret") || contains(got, "p2") || !contains(got, "db:5432") {
		t.Fatalf("RedactDSN = %q", got)
	}
	for _, dsn := range []string{"host=db user=vigil password=s3cret dbname=vigil", "host=db password = s3cret"} {
		if got := RedactDSN(dsn); contains(got, "s3cret") {
			t.Fatalf("RedactDSN(%q) = %q", dsn, got)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
