// Package signal runs the console WebSocket (PROTOCOL.md beside this
// file): one connection per console, carrying the signaling of one WebRTC
// peer connection with up to 25 tiles, tile assignments, camera health and
// video-wall layouts. Authentication and the Origin check happen in the
// API before a connection is handed here.
package signal

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/streams/playback"
)

// DefaultRecheck is how often an open console's session is re-validated.
const DefaultRecheck = 30 * time.Second

// Authenticator re-validates a console's session token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (auth.User, error)
}

// Options are a Server's dependencies. All but Logger, Audit and Recheck
// are required.
type Options struct {
	Catalog CameraFinder
	WebRTC  PeerSessions
	Users   Authenticator
	Health  HealthFeed
	Walls   WallFeed
	Logger  *slog.Logger
	// Audit records views; nil records nothing (they are logged anyway).
	Audit audit.Recorder
	// Recheck is the session re-validation interval (default DefaultRecheck).
	Recheck time.Duration
	// Recordings is what tiles play back from; nil: play answers that
	// nothing is recorded.
	Recordings playback.Store
	// PTZ controls the domes (ptz.go); nil: ptz messages are refused.
	PTZ PTZControl
	// Tours reads the tours consoles run; nil: every tour is unknown.
	// TourUnit is one second of a tour's dwell (default DefaultTourUnit).
	Tours    TourStore
	TourUnit time.Duration
}

// Server owns every console connection.
type Server struct {
	opts Options
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	drained string // the drain's reason, once Drain ran
	conns   map[*conn]struct{}
}

// New returns a Server; it starts nothing until Serve.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Recheck <= 0 {
		opts.Recheck = DefaultRecheck
	}
	if opts.TourUnit <= 0 {
		opts.TourUnit = DefaultTourUnit
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: opts, log: opts.Logger, ctx: ctx, cancel: cancel, conns: make(map[*conn]struct{})}
}

// Serve runs one console connection until it ends. ws is an upgraded
// WebSocket of user u, authenticated by token. Serve closes ws.
func (s *Server) Serve(ws *websocket.Conn, u auth.User, token string) {
	c := newConn(s, ws, u, token)
	if !s.track(c) {
		c.cancel()
		code, text := websocket.CloseGoingAway, "gateway shutting down"
		if reason := s.draining(); reason != "" {
			code, text = CloseReconnect, reason
		}
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(code, text), time.Now().Add(closeWait))
		ws.Close()
		return
	}
	defer s.untrack(c)
	c.run()
}

// track registers c unless the server is closing. The WaitGroup is added
// to under the lock that Close takes before waiting, so no Add can race
// with the Wait.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Conns returns the number of open console connections.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close ends every connection (close code 1001) and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// ReconnectMsg tells a console to reconnect, to the same URL after a short
// backoff: the gateway it is on is draining, and the load balancer sends
// the new connection to another node.
type ReconnectMsg struct {
	Type   string `json:"type"` // "reconnect"
	Reason string `json:"reason"`
}

// Drain refuses new connections and sends every open console the
// reconnect message, then closes it with CloseReconnect. It does not wait
// for them: Close does.
func (s *Server) Drain(reason string) {
	farewell, _ := json.Marshal(ReconnectMsg{Type: "reconnect", Reason: reason})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed, s.drained = true, reason
	for c := range s.conns {
		c.failWith(CloseReconnect, reason, farewell)
	}
}

func (s *Server) draining() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drained
}

// RecheckSessions has every console re-validate its session now, as after
// a revocation on this or another node; it does not wait for them.
func (s *Server) RecheckSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		select {
		case c.recheckNow <- struct{}{}:
		default: // one is pending already
		}
	}
}
