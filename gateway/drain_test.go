package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"

	"vigil/gateway"
	"vigil/gateway/audit"
	"vigil/gateway/signal"
	"vigil/gateway/store"
	"vigil/internal/testwait"
)

// TestDrainRefusesNewWorkAndSendsConsolesAway: after Drain, /readyz says
// draining (while /healthz stays up), a console is told to reconnect and
// closed with 4002, new consoles, WHEP offers and exports get 503 with
// Retry-After, and the audit log has the drain and the stop.
func TestDrainRefusesNewWorkAndSendsConsolesAway(t *testing.T) {
	g := startTestGateway(t, twoStations)
	base := g.URL()
	console := dialConsole(t, base, g.admin.token, "")
	console.waitFor(t, "the first camera message", isType("camera"))
	openWHEP(t, base, g.admin.token, "bjx-nsq-01") // a viewer before the drain is accepted

	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	g.Drain(ctx, "test")

	m := console.waitFor(t, "the reconnect message", isType("reconnect"))
	if m["reason"] != gateway.DrainReason {
		t.Errorf("reconnect %v, want reason %s", m, gateway.DrainReason)
	}
	<-console.done
	if console.closeCode != signal.CloseReconnect {
		t.Errorf("close code %d, want %d", console.closeCode, signal.CloseReconnect)
	}
	resp, body := g.admin.do("GET", "/readyz", nil)
	var ready struct{ Reason string }
	json.Unmarshal(body, &ready)
	if resp.StatusCode != http.StatusServiceUnavailable || ready.Reason != "draining" {
		t.Errorf("/readyz: %s %s, want 503 draining", resp.Status, body)
	}
	if resp, _ := g.admin.do("GET", "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz while draining: %s", resp.Status)
	}
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/whep/bjx-nsq-01", "v=0"},
		{"POST", "/api/clips", `{"camera":"bjx-nsq-01"}`},
	} {
		resp, body := g.admin.do(r.method, r.path, r.body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s while draining: %s %s, want 503 with Retry-After", r.method, r.path, resp.Status, body)
		}
	}
	h := http.Header{"Authorization": {"Bearer " + g.admin.token}}
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL(base), h); err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("console while draining: %v %v, want 503", err, resp)
	}
	// The audit log writes from its own queue: wait for both entries.
	testwait.For(t, "the two shutdown audit entries of the drain", func() bool {
		entries, err := g.Store().ListAudit(context.Background(), store.AuditQuery{Action: audit.ActionShutdown})
		if err != nil {
			t.Fatal(err)
		}
		return len(entries) >= 2
	})
	entries, _ := g.Store().ListAudit(context.Background(), store.AuditQuery{Action: audit.ActionShutdown})
	if len(entries) != 2 {
		t.Fatalf("audit %s entries: %d, want 2", audit.ActionShutdown, len(entries))
	}
}
