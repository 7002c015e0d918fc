package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"vigil/internal/testwait"
)

// TestConsolesPerUser: a user allowed 2 consoles gets 429 on the third
// WebSocket, and a closed console frees its slot.
func TestConsolesPerUser(t *testing.T) {
	g := startTestGateway(t, twoStations+"http:\n  max_consoles_per_user: 2\n")
	first := dialConsole(t, g.URL(), g.admin.token, "")
	dialConsole(t, g.URL(), g.admin.token, "")
	h := http.Header{"Authorization": {"Bearer " + g.admin.token}}
	_, resp, err := websocket.DefaultDialer.Dial(wsURL(g.URL()), h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third console: %v %v, want 429", err, resp)
	}
	first.ws.Close()
	testwait.For(t, "the closed console's slot", func() bool {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(g.URL()), h)
		if err == nil {
			ws.Close()
		}
		return err == nil
	})
}

// TestConsoleMessageSizes: a non-offer message of 64 to 256 KiB is
// answered by error and ignored; any message beyond 256 KiB, offer or
// not, closes the console with 1009 (PROTOCOL.md "Limits and closing"),
// so the gateway never holds more than 256 KiB of one message.
func TestConsoleMessageSizes(t *testing.T) {
	g := startTestGateway(t, twoStations)
	c := dialConsole(t, g.URL(), g.admin.token, "")
	big := `{"type":"clear","tile":0,"x":"` + strings.Repeat("x", 100<<10) + `"}`
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "error for a 100 KiB message", isType("error"))
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01"})
	c.waitFor(t, "the tile after the ignored message", isTile(0, "waiting"))

	huge := `{"type":"clear","tile":0,"x":"` + strings.Repeat("x", 1<<20) + `"}`
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(huge))
	waitClosed(t, c, websocket.CloseMessageTooBig)
}
