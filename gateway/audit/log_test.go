package audit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/gateway/store"
)

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

func TestLogWritesToStore(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := New(Options{Store: st})
	ctx := context.Background()
	for i := range 50 {
		l.Record(ctx, Entry{User: "li", Action: ActionViewStart, Camera: "bjn-hall-01",
			Detail: map[string]any{"via": "tile", "tile": i}})
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := st.ListAudit(ctx, store.AuditQuery{Limit: 100})
	if err != nil || len(got) != 50 || got[0].Camera != "bjn-hall-01" || string(got[0].Detail) != `{"tile":49,"via":"tile"}` {
		t.Fatalf("entries %d %v: %+v", len(got), err, got[0])
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

// blockingStore holds every append until released, then fails or succeeds.
type blockingStore struct {
	release chan struct{}
	fail    bool
	mu      sync.Mutex
	n       int
}

func (s *blockingStore) AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error) {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.fail {
		return e, errors.New("disk I/O error")
	}
	return e, nil
}

func TestRecordNeverBlocks(t *testing.T) {
	var logs syncBuffer
	bs := &blockingStore{release: make(chan struct{})}
	l := New(Options{Store: bs, Buffer: 4, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			l.Record(context.Background(), Entry{User: "li", Action: ActionViewEnd})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Record blocked on a stuck database")
	}
	close(bs.release)
	l.Close()
	dropped, _ := l.Stats()
	if dropped < 90 || !strings.Contains(logs.String(), "audit: entry dropped") {
		t.Fatalf("dropped %d, logs %s", dropped, logs.String())
	}
	l.Record(context.Background(), Entry{Action: ActionLogin}) // after close: dropped, no panic
}

func TestFailedWriteIsLogged(t *testing.T) {
	var logs syncBuffer
	bs := &blockingStore{release: make(chan struct{}), fail: true}
	close(bs.release)
	l := New(Options{Store: bs, Retries: 2, Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	l.Record(context.Background(), Entry{User: "li", Action: ActionClipExport, Camera: "bjx-nsq-01"})
	l.Record(context.Background(), Entry{Action: "bad", Detail: map[string]any{"f": func() {}}})
	l.Close()
	if _, failed := l.Stats(); failed != 1 || bs.n != 3 {
		t.Fatalf("failed %d after %d attempts", failed, bs.n)
	}
	out := logs.String()
	if !strings.Contains(out, "cannot write entry to the database") || !strings.Contains(out, "disk I/O error") ||
		!strings.Contains(out, "camera=bjx-nsq-01") || !strings.Contains(out, "entry not recorded") {
		t.Fatalf("logs: %s", out)
	}
}
