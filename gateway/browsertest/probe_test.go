package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway/httpsec"
)

// probePage loads its script as a file, under the console's own policy
// (no inline script): the probe must run before it and despite the CSP.
const probePage = `<!doctype html><meta charset="utf-8"><body><script src="/page.js"></script></body>`

const probePageJS = `
document.body.dataset.probeFirst = String(typeof window.__browsertest === 'object');
const kept = new RTCPeerConnection();
new RTCPeerConnection().close();
window.kept = kept;
new WebSocket('ws://' + location.host + '/ws');
`

// probeMessages are what the fake gateway sends, the clip message last so
// that its arrival means every other one has arrived.
var probeMessages = []string{
	`{"type":"tile","tile":2,"camera":"gate-1","state":"playing"}`,
	`not json`,
	`{"type":"audio","tile":2,"camera":"gate-1","state":"playing"}`,
	`{"type":"clip","status":"done"}`,
	`{"type":"clip","id":"0123456789abcdef","status":"done"}`,
}

func TestProbeRecordsPeersAndMessages(t *testing.T) {
	closed := make(chan struct{})
	mux := http.NewServeMux()
	page := func(ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			httpsec.Set(w.Header())
			w.Header().Set("Content-Type", ctype)
			w.Write([]byte(body))
		}
	}
	mux.HandleFunc("GET /{$}", page("text/html; charset=utf-8", probePage))
	mux.HandleFunc("GET /page.js", page("text/javascript", probePageJS))
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for _, m := range probeMessages {
			c.WriteMessage(websocket.TextMessage, []byte(m))
		}
		for { // until the page closes the socket
			if _, _, err := c.ReadMessage(); err != nil {
				close(closed)
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := New(t)
	b.Navigate(srv.URL + "/")
	b.WaitFor(`window.__browsertest.clipMessages.length > 0`, DefaultTimeout)
	if got := MustEval[string](b, `document.body.dataset.probeFirst`); got != "true" {
		t.Errorf("the probe did not run before the page's script: probeFirst %q", got)
	}
	if !MustEval[bool](b, `window.__browsertest.peers.length === 1 && window.__browsertest.peers[0] === window.kept`) {
		t.Errorf("peers: want only the open peer connection, got %d", MustEval[int](b, `window.__browsertest.peers.length`))
	}
	if got := MustEval[int](b, `window.__browsertest.constructed`); got != 2 {
		t.Errorf("constructed %d peer connections, want 2 (the closed one counts)", got)
	}
	if got := MustEval[string](b, `window.__browsertest.tiles[2].camera + ' ' + window.__browsertest.audio.state`); got != "gate-1 playing" {
		t.Errorf("tile and audio messages: %q", got)
	}
	if got := MustEval[[]map[string]any](b, `window.__browsertest.clipMessages`); len(got) != 1 || got[0]["id"] != "0123456789abcdef" {
		t.Errorf("clip messages %v, want only the one with an id", got)
	}
	b.Exec(`window.__browsertest.socket.close()`)
	select {
	case <-closed:
	case <-time.After(DefaultTimeout):
		t.Fatal("closing window.__browsertest.socket did not close the page's WebSocket")
	}
}
