package auth

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/internal/testclock"
)

// testParams keep argon2 cheap under -race; production uses DefaultParams.
var testParams = Params{Memory: 256, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type fixture struct {
	svc   *Service
	st    *store.Store
	clock *testclock.Clock
	ctx   context.Context
}

// newFixture runs a Service over a real SQLite store with a fixed clock;
// opts adjust its options.
func newFixture(t *testing.T, opts ...func(*Options)) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := testclock.New(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	o := Options{Store: st, Params: testParams, Now: c.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, f := range opts {
		f(&o)
	}
	svc := New(o)
	return &fixture{svc: svc, st: st, clock: c, ctx: context.Background()}
}

func (f *fixture) addUser(t *testing.T, name, pw string, role Role, stations ...string) {
	t.Helper()
	if _, err := f.svc.CreateUser(f.ctx, name, pw, role, stations); err != nil {
		t.Fatal(err)
	}
}
