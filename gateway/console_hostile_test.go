package gateway_test

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"vigil/streams/sim"
)

func TestConsoleSurvivesHostileMessages(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Width: 160, Height: 96})
	g, token := startGateway(t, oneCameraConfig(cam.URL("cam0")))

	c := dialConsole(t, g.URL(), token, "")
	bad := []string{
		`not json`, `{"type":"assign","tile":25,"camera":"bjx-nsq-01"}`, `{"type":"nope"}`,
		`{"type":"offer","sdp":"garbage"}`, `{"type":"assign","tile":0,"camera":"bjx-nsq-01","x":` + strings.Repeat("1", 70<<10) + `}`,
		`{"type":"follow","wall":"nope"}`,
	}
	for _, b := range bad {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte(b)); err != nil {
			t.Fatal(err)
		}
		m := c.waitFor(t, "error for "+b[:min(len(b), 40)], isType("error"))
		if msg, _ := m["message"].(string); msg == "" || len(msg) > 300 {
			t.Errorf("%.40s: error message %q", b, msg)
		}
	}
	c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
	c.waitFor(t, "error for a binary message", isType("error"))
	// The connection still works.
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01"})
	c.waitFor(t, "waiting", isTile(0, "waiting"))

	// Too many errors end it.
	for i := 0; i < 30; i++ {
		c.ws.WriteMessage(websocket.TextMessage, []byte(`{}`))
	}
	waitClosed(t, c, 4008)

	// So does a flood of valid messages.
	flood := dialConsole(t, g.URL(), token, "")
	for i := 0; i < 300; i++ {
		if flood.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"clear","tile":0}`)) != nil {
			break
		}
	}
	waitClosed(t, flood, 4008)

	// And a message larger than any offer.
	huge := dialConsole(t, g.URL(), token, "")
	huge.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"offer","sdp":"`+strings.Repeat("x", 300<<10)+`"}`))
	waitClosed(t, huge, websocket.CloseMessageTooBig)
}
