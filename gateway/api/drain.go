package api

import (
	"net/http"

	"vigil/gateway/auth"
)

// Drain makes this node refuse what would start new work here: console
// WebSockets, WHEP offers and clip exports answer 503 with Retry-After,
// and /readyz answers 503 "draining", so load balancers send clients to
// another node. What runs already goes on until the gateway closes.
func (s *Server) Drain() { s.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// unlessDraining wraps a handler that starts a session or a job.
func (s *Server) unlessDraining(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, u auth.User) {
		if s.draining.Load() {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, "this node is draining: retry, another node will answer")
			return
		}
		h(w, r, u)
	}
}
