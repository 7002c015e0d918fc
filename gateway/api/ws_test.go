package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"vigil/gateway/api"
	"vigil/gateway/auth"
)

// greeter is a console server (api.ConsoleServer) that tells each console
// whom it serves and with which token, then waits for the console to
// close; ended hears of each console it served once Serve returns.
type greeter struct{ ended chan string }

type greeting struct{ User, Token string }

func (g greeter) Serve(ws *websocket.Conn, u auth.User, token string) {
	defer func() { g.ended <- u.Name }()
	defer ws.Close()
	if ws.WriteJSON(greeting{User: u.Name, Token: token}) != nil {
		return
	}
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}

func withConsole(c api.ConsoleServer) func(*api.Options) {
	return func(o *api.Options) { o.Console = c }
}

// dialConsole opens /api/ws with a bearer token and, if origin is not
// empty, that Origin.
func dialConsole(s *cameraStack, token, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.url, "http")+"/api/ws", h)
}

// The console WebSocket is handed to the ConsoleServer the options name,
// with the user the route authenticated and the token it came with; the
// handler returns when the console has closed.
func TestConsoleWebSocketIsServedByTheConsoleServer(t *testing.T) {
	console := greeter{ended: make(chan string, 1)}
	s := newCameraStack(t, withConsole(console))
	token := s.login(t, "li", "bj")
	ws, _, err := dialConsole(s, token, "")
	if err != nil {
		t.Fatal(err)
	}
	var got greeting
	if err := ws.ReadJSON(&got); err != nil {
		t.Fatal(err)
	}
	if got != (greeting{User: "li", Token: token}) {
		t.Errorf("the console server was given %+v, want user li and the request's token", got)
	}
	ws.Close()
	if name := <-console.ended; name != "li" {
		t.Errorf("Serve returned for %q, want li", name)
	}
}

// A page of another origin is refused before the console server sees it.
func TestConsoleWebSocketRefusesAForeignOrigin(t *testing.T) {
	console := greeter{ended: make(chan string, 1)}
	s := newCameraStack(t, withConsole(console))
	token := s.login(t, "li", "bj")
	ws, resp, err := dialConsole(s, token, "http://evil.example")
	if ws != nil {
		ws.Close()
	}
	if !errors.Is(err, websocket.ErrBadHandshake) || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: err %v, response %v; want a refused handshake, 403", err, resp)
	}
	select {
	case name := <-console.ended:
		t.Errorf("the console server served %s from a foreign origin", name)
	default:
	}
}

// With no console in the options there is no console route (nil keeps its
// meaning: an unset interface, not a typed nil, turns the routes off).
func TestNoConsoleServesNoConsoleRoute(t *testing.T) {
	s := newCameraStack(t)
	token := s.login(t, "li", "bj")
	ws, resp, err := dialConsole(s, token, "")
	if ws != nil {
		ws.Close()
	}
	if !errors.Is(err, websocket.ErrBadHandshake) || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("no console: err %v, response %v; want a refused handshake, 404", err, resp)
	}
	if code, _ := s.get(t, token, "/api/walls"); code != http.StatusNotFound {
		t.Errorf("GET /api/walls with no console: %d, want 404", code)
	}
}
