package gateway_test

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/gateway"
	"vigil/internal/testwait"
)

// TestAuditUnavailableRefusesViews is finding 3's last resort: the database
// refuses writes (another connection holds SQLite's write lock) and the
// spool cannot be written (its path is a file). The first view is
// allowed and its entry lost; the loss is counted in the metric, and from
// then on WHEP offers and console tiles are refused until the trail
// records again, when a loss marker enters the chain.
func TestAuditUnavailableRefusesViews(t *testing.T) {
	g := startTestGateway(t, twoStations, func(o *gateway.Options) {
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(o.DataDir, "audit-spool"), []byte("not a directory"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	tw := &testWalk{testGateway: g}
	ws := dialConsole(t, g.URL(), g.admin.token, "")
	ws.negotiate(t)
	if err := g.Audit().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	unlock := lockDatabase(t, filepath.Join(g.dataDir, "vigil.db"))

	resp, _ := g.admin.do("POST", "/api/whep/bjn-hall-01", tw.whepOffer())
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("first offer, before any loss: %s", resp.Status)
	}
	testwait.For(t, "the lost view.start counted", func() bool {
		_, body := g.admin.do("GET", "/metrics", nil)
		return strings.Contains(string(body), "vigil_audit_lost_total 1")
	})
	if _, body := g.admin.do("GET", "/metrics", nil); !strings.Contains(string(body), "vigil_audit_spooled 0") {
		t.Fatal("no spool depth metric")
	}
	resp, body := g.admin.do("POST", "/api/whep/bjn-hall-01", tw.whepOffer())
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "audit trail") {
		t.Fatalf("offer while the audit trail loses entries: %s %s", resp.Status, body)
	}
	ws.send(t, map[string]any{"type": "assign", "tile": 4, "camera": "bjx-nsq-01"})
	m := ws.waitFor(t, "tile 4 refused", isTile(4, "offline"))
	if m["reason"] != "audit_unavailable" {
		t.Fatalf("tile 4: %v", m)
	}

	unlock()
	testwait.For(t, "views allowed again", func() bool {
		resp, _ := g.admin.do("POST", "/api/whep/bjn-hall-01", tw.whepOffer())
		return resp.StatusCode == http.StatusCreated
	})
	st := g.openStore()
	losses, err := st.AuditLosses(context.Background())
	if err != nil || len(losses) != 1 || losses[0].Count < 1 {
		t.Fatalf("loss markers %+v, %v", losses, err)
	}
}

// lockDatabase holds SQLite's write lock from another connection, as a
// stuck backup or a sqlite3 shell would; unlock lets go.
func lockDatabase(t *testing.T, path string) (unlock func()) {
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
	done := false
	unlock = func() {
		if !done {
			done = true
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		}
	}
	t.Cleanup(unlock)
	return unlock
}
