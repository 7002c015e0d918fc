package api

import (
	"context"
	"errors"
	"sync"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
)

// defaultRecheck is how often WHEP viewers are re-validated.
const defaultRecheck = 30 * time.Second

// recheckLoop runs while WHEP sessions exist: a WHEP viewer is authorized
// once, at its offer, so without it a revoked session, a disabled user or a
// narrowed station scope would keep watching.
type recheckLoop struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// startWHEPRecheck starts the loop unless it runs.
func (s *Server) startWHEPRecheck() {
	s.recheck.mu.Lock()
	defer s.recheck.mu.Unlock()
	if s.recheck.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.recheck.cancel, s.recheck.done = cancel, make(chan struct{})
	every := s.opts.Recheck
	if every <= 0 {
		every = defaultRecheck
	}
	go s.runRecheck(ctx, every, s.recheck.done)
}

func (l *recheckLoop) stop() {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

func (s *Server) runRecheck(ctx context.Context, every time.Duration, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.recheckWHEP(ctx)
		}
	}
}

// recheckWHEP ends the WHEP sessions whose viewer may no longer watch.
func (s *Server) recheckWHEP(ctx context.Context) {
	s.whep.mu.Lock()
	all := make([]*whepSession, 0, len(s.whep.sessions))
	for _, ws := range s.whep.sessions {
		all = append(all, ws)
	}
	s.whep.mu.Unlock()
	for _, ws := range all {
		if reason := s.whepDenied(ctx, ws); reason != "" {
			s.log.Info("whep view ended by the gateway", "user", ws.user, "camera", ws.camera, "reason", reason)
			ws.session.Close()
		}
	}
}

func (s *Server) whepDenied(ctx context.Context, ws *whepSession) string {
	u, err := s.opts.Users.Authenticate(ctx, ws.token)
	switch {
	case ctx.Err() != nil:
		return ""
	case errors.Is(err, auth.ErrUnauthenticated):
		return "session ended"
	case err != nil:
		return "" // the database, not the viewer: try again next time
	case authz.Check(u, authz.ActionView) != nil:
		return "not allowed any more"
	}
	if _, ok := s.visibleCamera(u, ws.camera); !ok {
		return "camera outside the user's stations"
	}
	return ""
}

// RecheckSessions ends now the WHEP views whose viewer may no longer
// watch, as after a revocation on this or another node.
func (s *Server) RecheckSessions(ctx context.Context) { s.recheckWHEP(ctx) }
