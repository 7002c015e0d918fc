package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
	// SpoolDir holds entries the database did not take (slow, full,
	// unreachable) until they are replayed into the chain; typically
	// data/audit-spool. "": no spool, such entries are lost (and counted).
	SpoolDir string
	// AppendTimeout bounds one append to the database before the entry goes
	// to the spool; default 5 s.
	AppendTimeout time.Duration
	// QueueWait is how long Record waits for room in a full queue before
	// it spools the entry itself: a burst is slowed, in order, rather than
	// spilled; default 500 ms.
	QueueWait time.Duration
	// RetryEvery is how often the spool is replayed while the database
	// refuses; default 5 s. Entries also replay it at Flush and at start.
	RetryEvery time.Duration
	// Checkpoints, when set, signs the chain head every so often.
	Checkpoints *Checkpointer
}

// Log is the store-backed Recorder: Record queues, one goroutine writes.
// What the database does not take goes to the spool; only what neither
// takes is lost, and every loss is counted, logged, refused onwards by
// Healthy and written into the chain as an ActionAuditLost marker.
type Log struct {
	opts  Options
	log   *slog.Logger
	ch    chan item
	done  chan struct{}
	spool *spool // nil without SpoolDir

	mu     sync.RWMutex // guards closed against sends on ch
	closed bool

	lostTotal   atomic.Int64
	pendingLoss atomic.Int64 // losses not yet marked in the chain
	health      atomic.Pointer[error]

	lastFail time.Time // owned by the writer goroutine
}

// item is an entry to write, or a flush barrier (flushed != nil).
type item struct {
	e       store.AuditEntry
	flushed chan struct{}
}

var (
	// ErrClosed is returned by Flush after Close.
	ErrClosed = errors.New("audit log closed")
	// ErrUnavailable is returned by Healthy when entries are being lost:
	// callers refuse the actions they would have to record (503).
	ErrUnavailable = errors.New("audit trail unavailable")
)

// New starts a Log. Entries an earlier run left in the spool are replayed
// first.
func New(opts Options) *Log {
	if opts.Buffer <= 0 {
		opts.Buffer = 4096
	}
	if opts.AppendTimeout <= 0 {
		opts.AppendTimeout = 5 * time.Second
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = 5 * time.Second
	}
	if opts.QueueWait <= 0 {
		opts.QueueWait = 500 * time.Millisecond
	}
	l := &Log{opts: opts, log: opts.Logger, ch: make(chan item, opts.Buffer), done: make(chan struct{})}
	if l.log == nil {
		l.log = slog.Default()
	}
	if opts.SpoolDir != "" {
		sp, err := openSpool(opts.SpoolDir)
		if err != nil {
			l.log.Error("audit: spool unreadable; its entries stay there", "dir", opts.SpoolDir, "err", err)
		}
		l.spool = sp
	}
	go l.run()
	return l
}

// Record queues e. When the queue stays full for QueueWait (a burst the
// database cannot keep up with) or the log is closed, e is written to the
// spool before Record returns: the caller is slowed rather than the entry
// lost. Order in the chain is the order entries became durable; each keeps
// the time it happened.
func (l *Log) Record(_ context.Context, e Entry) {
	se, err := toStore(e)
	if err != nil {
		l.lose(store.AuditEntry{Time: time.Now(), User: e.User, Action: e.Action, Camera: e.Camera}, err)
		return
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if !l.closed && l.enqueue(se) {
		return
	}
	l.toSpool(se, errors.New("audit queue full"))
}

// enqueue puts e on the queue, waiting up to QueueWait for room.
func (l *Log) enqueue(e store.AuditEntry) bool {
	select {
	case l.ch <- item{e: e}:
		return true
	default:
	}
	wait := time.NewTimer(l.opts.QueueWait)
	defer wait.Stop()
	select {
	case l.ch <- item{e: e}:
		return true
	case <-wait.C:
		return false
	}
}

// Healthy reports whether entries are reaching durable storage: after a
// loss it returns ErrUnavailable until an entry is stored again (the
// writer retries the loss marker every RetryEvery).
func (l *Log) Healthy() error {
	if p := l.health.Load(); p != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, *p)
	}
	return nil
}

// Stats are the Log's counters, for metrics.
type Stats struct {
	Lost    int64 // entries lost since start: neither the database nor the spool took them
	Spooled int64 // entries waiting in the spool
}

// Stats returns the current counters.
func (l *Log) Stats() Stats {
	st := Stats{Lost: l.lostTotal.Load()}
	if l.spool != nil {
		st.Spooled = l.spool.Depth()
	}
	return st
}

// toSpool makes e durable in the spool, or counts it lost.
func (l *Log) toSpool(e store.AuditEntry, why error) {
	if l.spool == nil {
		l.lose(e, why)
		return
	}
	if err := l.spool.append(e); err != nil {
		l.lose(e, fmt.Errorf("%v; %w", why, err))
		return
	}
	l.health.Store(nil)
}

func (l *Log) lose(e store.AuditEntry, err error) {
	l.lostTotal.Add(1)
	l.pendingLoss.Add(1)
	l.health.Store(&err)
	l.log.Error("audit: entry LOST", "action", e.Action, "user", e.User, "camera", e.Camera,
		"time", e.Time, "detail", string(e.Detail), "err", err)
}

// Flush waits until every entry recorded before it is written (or
// spooled) and the spool has been offered to the database once, or ctx
// ends.
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

// Close writes what is queued and stops. Later entries go to the spool,
// for the next start.
func (l *Log) Close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.ch)
	}
	l.mu.Unlock()
	<-l.done
}

func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(l.opts.RetryEvery)
	defer tick.Stop()
	l.replay()
	for {
		select {
		case it, ok := <-l.ch:
			if !ok {
				l.opts.Checkpoints.final(l.log)
				if l.spool != nil {
					l.spool.close()
				}
				return
			}
			if it.flushed != nil {
				l.replay()
				close(it.flushed)
				continue
			}
			l.write(it.e)
		case <-tick.C:
			l.replay()
			l.opts.Checkpoints.tick(l.log)
		}
	}
}

// write appends e to the chain, unless older entries wait in the spool (e
// joins them, keeping the order) or the database refuses (e is spooled).
func (l *Log) write(e store.AuditEntry) {
	if l.backlog() && (l.spool == nil || time.Since(l.lastFail) >= l.opts.RetryEvery) {
		l.replay()
	}
	if l.backlog() {
		l.toSpool(e, errors.New("older entries wait in the spool"))
		return
	}
	if err := l.appendDB(e); err != nil {
		l.lastFail = time.Now()
		l.log.Warn("audit: database refused an entry; spooling", "action", e.Action, "err", err)
		l.toSpool(e, err)
	}
}

// backlog reports entries (or a loss marker) not yet in the chain.
func (l *Log) backlog() bool {
	return l.pendingLoss.Load() > 0 || (l.spool != nil && l.spool.Depth() > 0)
}

// replay moves the spool into the chain, then marks any loss there.
func (l *Log) replay() {
	if l.spool != nil && l.spool.Depth() > 0 {
		err := l.spool.replay(l.appendDB, func(n int64, err error) {
			l.lostTotal.Add(n)
			l.pendingLoss.Add(n)
			l.log.Error("audit: spooled entry LOST (unreadable)", "dir", l.spool.dir, "err", err)
		})
		if err != nil {
			l.lastFail = time.Now()
			return
		}
	}
	l.markLoss()
}

// markLoss writes an ActionAuditLost entry counting the losses since the
// last marker, so that `vigil audit verify` reports the gap.
func (l *Log) markLoss() {
	n := l.pendingLoss.Swap(0)
	if n == 0 {
		return
	}
	marker := store.AuditEntry{Time: time.Now(), Action: ActionAuditLost}
	marker.Detail, _ = json.Marshal(map[string]any{"count": n})
	err := l.appendDB(marker)
	if err != nil && l.spool != nil && (l.spool.Depth() == 0) {
		err = l.spool.append(marker)
	}
	if err != nil {
		l.lastFail = time.Now()
		l.pendingLoss.Add(n)
		return
	}
	l.health.Store(nil)
}

func (l *Log) appendDB(e store.AuditEntry) error {
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.AppendTimeout)
	defer cancel()
	if _, err := l.opts.Store.AppendAudit(ctx, e); err != nil {
		return err
	}
	l.health.Store(nil)
	l.opts.Checkpoints.appended(l.log)
	return nil
}

func toStore(e Entry) (store.AuditEntry, error) {
	se := store.AuditEntry{Time: e.Time, User: storable(e.User), Action: storable(e.Action), Camera: storable(e.Camera)}
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

// storable makes s a string both databases take: valid UTF-8 without NUL
// (PostgreSQL refuses both in TEXT). An entry the database refused for its
// content would otherwise sit at the head of the spool forever, holding
// back every entry after it (a login with such a user name is enough).
func storable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
