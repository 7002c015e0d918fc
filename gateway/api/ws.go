package api

import (
	"net/http"

	"github.com/gorilla/websocket"

	"vigil/gateway/auth"
)

// wsUpgrader upgrades console WebSockets. The Origin check is done before,
// in handleWS, with the API's own rule; gorilla's is switched off so that
// there is exactly one.
var wsUpgrader = websocket.Upgrader{
	ReadBufferSize:  16 << 10,
	WriteBufferSize: 16 << 10,
	CheckOrigin:     func(*http.Request) bool { return true },
}

// handleWS opens the console WebSocket (gateway/signal/PROTOCOL.md). The
// route table has already authenticated the request. A page of another
// origin must not ride on the user's cookie (cross-site WebSocket
// hijacking), so a foreign Origin is refused, and so is a cookie request
// without any Origin (every browser sends one on a WebSocket).
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request, u auth.User) {
	origin := r.Header.Get("Origin")
	byBearer := r.Header.Get("Authorization") != ""
	if (origin != "" && !sameOrigin(origin, r)) || (origin == "" && !byBearer) {
		writeError(w, http.StatusForbidden, "cross-origin WebSocket refused")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusBadRequest, "a WebSocket upgrade is required")
		return
	}
	if max := s.opts.MaxConsolesPerUser; !s.consoleSlots.take(u.Name, max) {
		tooMany(w, "open consoles", max)
		return
	}
	defer s.consoleSlots.give(u.Name)
	ws, err := wsUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	s.opts.Console.Serve(ws, u, requestToken(r)) // returns when the console has closed
}
