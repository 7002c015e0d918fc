package audit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"vigil/gateway/store"
)

// Appender is the store's audit append; *store.Store implements it.
type Appender interface {
	AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}

// Options configure a Log. Only Store is required.
type Options struct {
	Store  Appender
	Logger *slog.Logger
	Buffer int // entries waiting to be written; default 4096
	// Retries of a failed append, with Backoff doubling between them;
	// defaults 3 and 100 ms.
	Retries int
	Backoff time.Duration
}

// Log is the store-backed Recorder: Record queues, one goroutine writes.
type Log struct {
	opts Options
	log  *slog.Logger
	ch   chan item
	done chan struct{}

	mu     sync.RWMutex // guards closed against sends on ch
	closed bool

	dropped atomic.Int64
	failed  atomic.Int64
}

// item is an entry to write, or a flush barrier (flushed != nil).
type item struct {
	e       store.AuditEntry
	flushed chan struct{}
}

// ErrClosed is returned by Flush after Close.
var ErrClosed = errors.New("audit log closed")

// New starts a Log.
func New(opts Options) *Log {
	if opts.Buffer <= 0 {
		opts.Buffer = 4096
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 100 * time.Millisecond
	}
	l := &Log{opts: opts, log: opts.Logger, ch: make(chan item, opts.Buffer), done: make(chan struct{})}
	if l.log == nil {
		l.log = slog.Default()
	}
	go l.run()
	return l
}

// Record queues e. When the queue is full or the log closed, the entry is
// dropped and logged as an error: the caller is never held up.
func (l *Log) Record(_ context.Context, e Entry) {
	se, err := toStore(e)
	if err != nil {
		l.log.Error("audit: entry not recorded", "action", e.Action, "user", e.User, "camera", e.Camera, "err", err)
		return
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.lost(se, ErrClosed)
		return
	}
	select {
	case l.ch <- item{e: se}:
	default:
		l.lost(se, errors.New("audit queue full"))
	}
}

func (l *Log) lost(e store.AuditEntry, err error) {
	l.dropped.Add(1)
	l.log.Error("audit: entry dropped", "action", e.Action, "user", e.User, "camera", e.Camera,
		"time", e.Time, "detail", string(e.Detail), "err", err)
}

// Flush waits until every entry recorded before it is written (or given
// up on), or ctx ends.
func (l *Log) Flush(ctx context.Context) error {
	done := make(chan struct{})
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	select {
	case l.ch <- item{flushed: done}:
	case <-ctx.Done():
		l.mu.RUnlock()
		return ctx.Err()
	}
	l.mu.RUnlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is queued and stops. Later entries are dropped.
func (l *Log) Close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.mu.Unlock()
	<-l.done
}

// Stats returns how many entries were dropped (queue full or closed) and
// how many could not be written.
func (l *Log) Stats() (dropped, failed int64) { return l.dropped.Load(), l.failed.Load() }

func (l *Log) run() {
	defer close(l.done)
	for it := range l.ch {
		if it.flushed != nil {
			close(it.flushed)
			continue
		}
		l.write(it.e)
	}
}

func (l *Log) write(e store.AuditEntry) {
	backoff := l.opts.Backoff
	var err error
	for attempt := 0; attempt <= l.opts.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(backoff)
			backoff *= 2
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = l.opts.Store.AppendAudit(ctx, e)
		cancel()
		if err == nil {
			return
		}
	}
	l.failed.Add(1)
	l.log.Error("audit: cannot write entry to the database", "action", e.Action, "user", e.User,
		"camera", e.Camera, "time", e.Time, "detail", string(e.Detail), "err", err)
}

func toStore(e Entry) (store.AuditEntry, error) {
	se := store.AuditEntry{Time: e.Time, User: e.User, Action: e.Action, Camera: e.Camera}
	if se.Time.IsZero() {
		se.Time = time.Now()
	}
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return store.AuditEntry{}, err
		}
		se.Detail = b
	}
	return se, nil
}
