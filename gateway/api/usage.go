package api

import (
	"errors"
	"maps"
	"sync"

	"vigil/gateway/auth"
)

// What the API serves now, read by the gateway's metrics at scrape time
// (vigil_whep_sessions, vigil_login_failures_total).

// WHEPView names a group of WHEP sessions: the camera watched and the mode,
// "live" or "playback".
type WHEPView struct{ Camera, Mode string }

// WHEPSessions returns the open WHEP sessions by camera and mode.
func (s *Server) WHEPSessions() map[WHEPView]int {
	s.whep.mu.Lock()
	defer s.whep.mu.Unlock()
	out := make(map[WHEPView]int)
	for _, ws := range s.whep.sessions {
		mode := "live"
		if ws.stop != nil {
			mode = "playback"
		}
		out[WHEPView{Camera: ws.camera, Mode: mode}]++
	}
	return out
}

// Reasons a login failed, as counted. Attempts refused before their
// password was checked are counted too (rate_limited, busy): a flood of
// them is what an operator alerts on, though they are not audited one by one.
const (
	failBadCredentials = "bad_credentials"
	failDisabled       = "disabled"
	failRateLimited    = "rate_limited"
	failBusy           = "busy"
	failError          = "error"
)

func loginFailureReason(err error) string {
	switch {
	case errors.Is(err, auth.ErrRateLimited):
		return failRateLimited
	case errors.Is(err, auth.ErrBusy):
		return failBusy
	case errors.Is(err, auth.ErrUserDisabled):
		return failDisabled
	case errors.Is(err, auth.ErrInvalidCredentials):
		return failBadCredentials
	}
	return failError
}

// loginFailures counts failed logins by reason since start; never by
// user name, which anyone can make up (unbounded label values).
type loginFailures struct {
	mu       sync.Mutex
	byReason map[string]uint64
}

func (f *loginFailures) add(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byReason == nil {
		f.byReason = make(map[string]uint64)
	}
	f.byReason[reason]++
}

// LoginFailures returns the failed logins since start by reason, every
// reason present (0 until one happens), so that a rate over them starts
// at the first failure.
func (s *Server) LoginFailures() map[string]uint64 {
	out := map[string]uint64{failBadCredentials: 0, failDisabled: 0, failRateLimited: 0, failBusy: 0, failError: 0}
	s.loginFailures.mu.Lock()
	defer s.loginFailures.mu.Unlock()
	maps.Copy(out, s.loginFailures.byReason)
	return out
}
