// Package storetest gives tests a real PostgreSQL server: the one named by
// VIGIL_TEST_POSTGRES (.ci/run starts one and sets it), or else a private
// one that the test binary starts from the installed postgresql binaries
// and stops when its tests end. Without either, PostgreSQL tests skip —
// except under CI=true, where a missing server is a failure.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
)

// EnvURL names the variable holding a server URL for tests, e.g.
// postgres://vigil@127.0.0.1:5433/postgres?sslmode=disable.
const EnvURL = "VIGIL_TEST_POSTGRES"

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
	private    *Server
)

// Main runs the package's tests and stops a private server afterwards; call
// it from TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if private != nil {
		private.Stop()
	}
	os.Exit(code)
}

// ServerURL returns the URL of a PostgreSQL server's maintenance database,
// starting a private server on first use when none is configured. It
// skips the test when there is no server, or fails it under CI=true.
func ServerURL(t testing.TB) string {
	t.Helper()
	serverOnce.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			serverURL = u
			return
		}
		private, serverErr = Start(os.TempDir())
		if serverErr == nil {
			serverURL = private.URL("postgres")
		}
	})
	if serverURL == "" {
		msg := fmt.Sprintf("no PostgreSQL server: set %s or install postgresql (%v)", EnvURL, serverErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return serverURL
}

// FreshDatabase creates an empty database on the test server and returns
// its URL; it is dropped when the test ends.
func FreshDatabase(t testing.TB) string {
	t.Helper()
	base := ServerURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "vigil_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return WithDatabase(base, name)
}

// WithDatabase returns serverURL with its database replaced by name.
func WithDatabase(serverURL, name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}
