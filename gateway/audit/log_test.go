package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// syncBuffer is a log sink safe for the writer goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func openSQLite(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigil.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// chain returns the whole chain, oldest first.
func chain(t *testing.T, st *store.Store) []store.AuditEntry {
	t.Helper()
	got, err := st.ListAudit(context.Background(), store.AuditQuery{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

// lockSQLite holds the database's write lock from another connection, as
// another process (a backup, sqlite3 at a shell) would; unlock releases it.
func lockSQLite(t *testing.T, path string) (unlock func()) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(unlock)
	return unlock
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(&syncBuffer{}, nil)) }

func TestLogWritesToStore(t *testing.T) {
	t.Parallel()
	st, _ := openSQLite(t)
	l := New(Options{Store: st, SpoolDir: filepath.Join(t.TempDir(), "spool")})
	ctx := context.Background()
	for i := range 50 {
		l.Record(ctx, Entry{User: "li", Action: ActionViewStart, Camera: "bjn-hall-01",
			Detail: map[string]any{"via": "tile", "tile": i}})
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := chain(t, st)
	if len(got) != 50 || got[49].Camera != "bjn-hall-01" || string(got[49].Detail) != `{"tile":49,"via":"tile"}` {
		t.Fatalf("entries %d: %+v", len(got), got)
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l.Close()
	if err := l.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush after close: %v", err)
	}
}

// TestBurstLosesNothing is finding 3's burst: 200 consoles × 25 tiles at
// once overflow an in-memory queue of 16; every entry must reach the chain.
func TestBurstLosesNothing(t *testing.T) {
	t.Parallel()
	st, _ := openSQLite(t)
	l := New(Options{Store: st, Buffer: 16, SpoolDir: filepath.Join(t.TempDir(), "spool"), Logger: quietLogger()})
	defer l.Close()
	var wg sync.WaitGroup
	for c := range 200 {
		wg.Go(func() {
			for tile := range 25 {
				l.Record(context.Background(), Entry{User: fmt.Sprint("op", c), Action: ActionViewStart,
					Camera: "bjn-hall-01", Detail: map[string]any{"tile": tile}})
			}
		})
	}
	wg.Wait()
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the spool replayed", func() bool { return l.Stats().Spooled == 0 })
	got := chain(t, st)
	seen := map[string]bool{}
	for _, e := range got {
		seen[e.User+string(e.Detail)] = true
	}
	if len(got) != 5000 || len(seen) != 5000 || l.Stats().Lost != 0 {
		t.Fatalf("chain holds %d entries (%d distinct) of 5000, lost %d", len(got), len(seen), l.Stats().Lost)
	}
	if err := st.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// recordNumbered records n view entries numbered from 0 in detail "n".
func recordNumbered(l *Log, n int) {
	for i := range n {
		l.Record(context.Background(), Entry{User: "li", Action: ActionViewStart, Detail: map[string]any{"n": i}})
	}
}

// wantNumbered checks that the chain holds the n numbered entries once
// each, in order.
func wantNumbered(t *testing.T, got []store.AuditEntry, n int) {
	t.Helper()
	var nums []int
	for _, e := range got {
		if e.Action != ActionViewStart {
			continue
		}
		var d struct{ N int }
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		nums = append(nums, d.N)
	}
	if len(nums) != n {
		t.Fatalf("chain holds %d numbered entries, want %d: %v", len(nums), n, nums)
	}
	for i, v := range nums {
		if v != i {
			t.Fatalf("entry %d is number %d: out of order: %v", i, v, nums)
		}
	}
}

// TestLockedSQLiteSpoolsInOrder: while another connection holds SQLite's
// write lock, entries go to the spool; once it lets go, they arrive in
// the chain, in order, none lost.
func TestLockedSQLiteSpoolsInOrder(t *testing.T) {
	t.Parallel()
	st, path := openSQLite(t)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	unlock := lockSQLite(t, path)
	l := New(Options{Store: st, SpoolDir: spoolDir, AppendTimeout: 50 * time.Millisecond,
		RetryEvery: 20 * time.Millisecond, Logger: quietLogger()})
	defer l.Close()
	recordNumbered(l, 30)
	testwait.For(t, "30 entries in the spool", func() bool { return l.Stats().Spooled == 30 })
	if n := len(chain(t, st)); n != 0 {
		t.Fatalf("%d entries written through the lock", n)
	}
	unlock()
	testwait.For(t, "the spool replayed", func() bool { return l.Stats().Spooled == 0 })
	wantNumbered(t, chain(t, st), 30)
	if l.Stats().Lost != 0 || l.Healthy() != nil {
		t.Fatalf("lost %d, healthy %v", l.Stats().Lost, l.Healthy())
	}
}

// TestPausedPostgresSpoolsInOrder: a cluster's PostgreSQL stops; entries
// go to the spool and reach the chain, in order, when it is back.
func TestPausedPostgresSpoolsInOrder(t *testing.T) {
	t.Parallel()
	storetest.ServerURL(t) // skips without PostgreSQL binaries
	// Under os.TempDir, not t.TempDir: the server runs as user postgres.
	srv, err := storetest.Start(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	st, err := store.OpenPostgres(context.Background(), srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := New(Options{Store: st, SpoolDir: filepath.Join(t.TempDir(), "spool"), AppendTimeout: time.Second,
		RetryEvery: 20 * time.Millisecond, Logger: quietLogger()})
	defer l.Close()
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	recordNumbered(l, 20)
	testwait.For(t, "20 entries in the spool", func() bool { return l.Stats().Spooled == 20 })
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the spool replayed", func() bool { return l.Stats().Spooled == 0 })
	wantNumbered(t, chain(t, st), 20)
	if l.Stats().Lost != 0 {
		t.Fatalf("lost %d", l.Stats().Lost)
	}
}

// TestSpoolSurvivesRestart: entries spooled when the log closed are
// replayed by the next start.
func TestSpoolSurvivesRestart(t *testing.T) {
	t.Parallel()
	st, path := openSQLite(t)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	unlock := lockSQLite(t, path)
	l := New(Options{Store: st, SpoolDir: spoolDir, AppendTimeout: 50 * time.Millisecond, Logger: quietLogger()})
	recordNumbered(l, 5)
	l.Close()
	l.Record(context.Background(), Entry{User: "li", Action: ActionViewStart, Detail: map[string]any{"n": 5}})
	unlock()
	if n := len(chain(t, st)); n != 0 {
		t.Fatalf("%d entries written through the lock", n)
	}
	l2 := New(Options{Store: st, SpoolDir: spoolDir, Logger: quietLogger()})
	defer l2.Close()
	testwait.For(t, "the spool replayed", func() bool { return l2.Stats().Spooled == 0 })
	wantNumbered(t, chain(t, st), 6)
}

// TestFullQueueSpills: the writer is stuck on a locked database and the
// queue (of one) stays full; Record spools entries itself, and all reach
// the chain once the lock is gone.
func TestFullQueueSpills(t *testing.T) {
	t.Parallel()
	st, path := openSQLite(t)
	unlock := lockSQLite(t, path)
	l := New(Options{Store: st, Buffer: 1, QueueWait: time.Millisecond, AppendTimeout: time.Minute,
		SpoolDir: filepath.Join(t.TempDir(), "spool"), Logger: quietLogger()})
	defer l.Close()
	recordNumbered(l, 10)
	if l.Stats().Spooled < 8 {
		t.Fatalf("%d entries spooled by Record, want at least 8 (1 being written, 1 queued)", l.Stats().Spooled)
	}
	unlock()
	testwait.For(t, "all 10 in the chain", func() bool {
		l.Flush(context.Background())
		return len(chain(t, st)) == 10
	})
	seen := map[string]bool{}
	for _, e := range chain(t, st) {
		seen[string(e.Detail)] = true
	}
	if len(seen) != 10 || l.Stats().Lost != 0 {
		t.Fatalf("distinct entries %d, lost %d", len(seen), l.Stats().Lost)
	}
}

// TestUnwritableSpoolLosesVisibly: the database refuses and the spool is
// not a directory. The loss is counted, Healthy refuses, and once the
// database is back a loss marker enters the chain.
func TestUnwritableSpoolLosesVisibly(t *testing.T) {
	t.Parallel()
	st, path := openSQLite(t)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	if err := os.WriteFile(spoolDir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	unlock := lockSQLite(t, path)
	l := New(Options{Store: st, SpoolDir: spoolDir, AppendTimeout: 50 * time.Millisecond,
		RetryEvery: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer l.Close()
	if err := l.Healthy(); err != nil {
		t.Fatalf("healthy before any loss: %v", err)
	}
	l.Record(context.Background(), Entry{User: "li", Action: ActionClipExport, Camera: "bjx-nsq-01"})
	testwait.For(t, "the loss counted", func() bool { return l.Stats().Lost == 1 })
	if err := l.Healthy(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Healthy after a loss: %v", err)
	}
	if !strings.Contains(logs.String(), "audit: entry LOST") || !strings.Contains(logs.String(), "camera=bjx-nsq-01") {
		t.Fatalf("logs: %s", logs.String())
	}
	unlock()
	testwait.For(t, "a loss marker in the chain", func() bool {
		losses, err := st.AuditLosses(context.Background())
		return err == nil && len(losses) == 1 && losses[0].Count == 1
	})
	testwait.For(t, "healthy again", func() bool { return l.Healthy() == nil })
}

// TestNoSpoolCountsLoss: without a spool, an entry the database refuses is
// counted lost (and marked), never dropped silently.
func TestNoSpoolCountsLoss(t *testing.T) {
	t.Parallel()
	st, path := openSQLite(t)
	unlock := lockSQLite(t, path)
	l := New(Options{Store: st, AppendTimeout: 50 * time.Millisecond, RetryEvery: 20 * time.Millisecond, Logger: quietLogger()})
	defer l.Close()
	l.Record(context.Background(), Entry{Action: "bad", Detail: map[string]any{"f": func() {}}})
	l.Record(context.Background(), Entry{User: "li", Action: ActionLogin})
	testwait.For(t, "two losses", func() bool { return l.Stats().Lost == 2 })
	unlock()
	testwait.For(t, "the loss marker", func() bool {
		losses, err := st.AuditLosses(context.Background())
		return err == nil && len(losses) == 1 && losses[0].Count == 2
	})
}

// TestUnstorableTextReachesPostgres: a user name with a NUL byte and
// invalid UTF-8 (a hostile login) is stored, cleaned, instead of being
// refused by PostgreSQL and holding back the spool behind it.
func TestUnstorableTextReachesPostgres(t *testing.T) {
	t.Parallel()
	st, err := store.OpenPostgres(context.Background(), storetest.FreshDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := New(Options{Store: st, SpoolDir: filepath.Join(t.TempDir(), "spool"), Logger: quietLogger()})
	defer l.Close()
	l.Record(context.Background(), Entry{User: "ad\x00min\xff", Action: ActionLoginFailed})
	recordNumbered(l, 3)
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := chain(t, st)
	if len(got) != 4 || got[0].User != "ad\uFFFDmin\uFFFD" || l.Stats().Spooled != 0 {
		t.Fatalf("chain %+v, spooled %d", got, l.Stats().Spooled)
	}
	wantNumbered(t, got, 3)
}
