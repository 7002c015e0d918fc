package events

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"testing"

	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// inbox collects what a subscriber got.
type inbox struct {
	mu  sync.Mutex
	got []Event
}

func (in *inbox) add(e Event) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.got = append(in.got, e)
}

func (in *inbox) has(typ, id string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, e := range in.got {
		if e.Type == typ && e.ID == id {
			return true
		}
	}
	return false
}

func listen(t *testing.T, url, node string) *Bus {
	t.Helper()
	b, err := Listen(context.Background(), url, node, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func TestEventsCrossNodes(t *testing.T) {
	t.Parallel()
	url := storetest.FreshDatabase(t)
	ctx := context.Background()
	a, b := listen(t, url, "bjx-1"), listen(t, url, "center")
	var atA, atB inbox
	a.Subscribe(atA.add)
	cancel := b.Subscribe(atB.add)

	a.Publish(ctx, Event{Type: TypeWall, ID: "main"})
	testwait.For(t, "center gets the wall event", func() bool { return atB.has(TypeWall, "main") })

	// Garbage on the channel is ignored; a later event still arrives.
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, payload := range []string{"not json", `{"id":"x"}`, `{"type":"resync","node":"evil"}`} {
		if _, err := db.ExecContext(ctx, `SELECT pg_notify('vigil_events', $1)`, payload); err != nil {
			t.Fatal(err)
		}
	}
	a.Publish(ctx, Event{Type: TypeSessions, ID: "li"})
	testwait.For(t, "center gets the sessions event", func() bool { return atB.has(TypeSessions, "li") })
	if atB.has(TypeResync, "") {
		t.Fatal("a forged resync was delivered")
	}
	if len(atA.got) != 0 {
		t.Fatalf("a node got its own events: %+v", atA.got)
	}

	// The listening connection is cut: the node reconnects, is told to
	// re-read everything, and gets later events again.
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "both nodes resync", func() bool { return atA.has(TypeResync, "") && atB.has(TypeResync, "") })
	a.Publish(ctx, Event{Type: TypeCamera, ID: "bjx-nsq-01"})
	testwait.For(t, "an event after the reconnect", func() bool { return atB.has(TypeCamera, "bjx-nsq-01") })

	cancel()
	a.Publish(ctx, Event{Type: TypeWall, ID: "hall"})
	b.Publish(ctx, Event{Type: TypeWall, ID: "ping"}) // a gets it: the channel still flows
	testwait.For(t, "bjx-1 gets center's event", func() bool { return atA.has(TypeWall, "ping") })
	if atB.has(TypeWall, "hall") {
		t.Fatal("a cancelled subscriber got an event")
	}
}

func TestLocalBusSendsNothing(t *testing.T) {
	t.Parallel()
	b := Local("solo")
	var got inbox
	b.Subscribe(got.add)
	b.Publish(context.Background(), Event{Type: TypeWall, ID: "main"})
	b.Close()
	if len(got.got) != 0 {
		t.Fatalf("local bus delivered %+v", got.got)
	}
}
