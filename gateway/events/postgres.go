package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"

	"vigil/streams/backoff"
)

// channel is the NOTIFY channel all of vigil's events use.
const channel = "vigil_events"

// reconnect spaces the attempts to get the listening connection back.
var reconnect = backoff.Policy{Min: 250 * time.Millisecond, Max: 5 * time.Second}

// maxPayload stays under PostgreSQL's 8000-byte NOTIFY limit.
const maxPayload = 7900

// Bus sends events to the other nodes and delivers theirs. Its zero value
// is not usable; make one with Local or Listen.
type Bus struct {
	node string
	subs subscribers
	db   *sql.DB // nil: local only
	log  *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
}

// Local is the bus of a single node: nothing crosses.
func Local(node string) *Bus {
	done := make(chan struct{})
	close(done)
	return &Bus{node: node, done: done, cancel: func() {}}
}

// Listen connects to the cluster's PostgreSQL database at url and delivers
// the other nodes' events until Close. A lost connection is re-made with
// backoff; then subscribers get a TypeResync event.
func Listen(ctx context.Context, url, node string, log *slog.Logger) (*Bus, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("events: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		conn.Close(ctx)
		db.Close()
		return nil, fmt.Errorf("events: listen: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	b := &Bus{node: node, db: db, log: log, cancel: cancel, done: make(chan struct{})}
	go b.run(runCtx, url, conn)
	return b, nil
}

// Subscribe calls fn for every event of another node (and for TypeResync)
// until cancel is called. fn runs on the bus's goroutine: keep it short.
func (b *Bus) Subscribe(fn func(Event)) (cancel func()) { return b.subs.add(fn) }

// Publish sends e to the other nodes; a single node sends nothing. An
// event that cannot be sent is logged and dropped: receivers re-read the
// store at their next resync, nothing is lost for good.
func (b *Bus) Publish(ctx context.Context, e Event) {
	if b.db == nil {
		return
	}
	e.Node = b.node
	payload, err := json.Marshal(e)
	if err == nil && len(payload) > maxPayload {
		err = fmt.Errorf("%d bytes", len(payload))
	}
	if err == nil {
		_, err = b.db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, string(payload))
	}
	if err != nil {
		b.log.Warn("events: not sent", "type", e.Type, "id", e.ID, "err", err)
	}
}

// Close stops listening and waits for the listener.
func (b *Bus) Close() {
	b.cancel()
	<-b.done
	if b.db != nil {
		b.db.Close()
	}
}

func (b *Bus) run(ctx context.Context, url string, conn *pgx.Conn) {
	defer close(b.done)
	for failures := 0; ; failures++ {
		err := b.receive(ctx, conn)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("events: connection lost; consoles on other nodes may lag until it is back", "err", err)
		for conn = nil; conn == nil; failures++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(reconnect.Wait(failures)):
			}
			conn, err = b.connect(ctx, url)
			if err != nil {
				b.log.Debug("events: reconnect", "err", err)
			}
		}
		failures = 0
		b.log.Info("events: connected again; re-reading shared state")
		b.subs.deliver(Event{Type: TypeResync, Node: b.node})
	}
}

func (b *Bus) connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(cctx, "LISTEN "+channel); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// receive delivers notifications until the connection fails or ctx ends.
func (b *Bus) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var e Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.Type == "" {
			b.log.Warn("events: ignored a malformed notification", "err", err)
			continue
		}
		if e.Node == b.node || e.Type == TypeResync {
			continue // our own, or forged
		}
		b.subs.deliver(e)
	}
}
