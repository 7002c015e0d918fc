package api

import (
	"context"
	"errors"
	"net"
	"net/http"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
)

// sessionCookie names the console's session cookie.
const sessionCookie = "vigil_session"

type userKey struct{}

type authedHandler func(w http.ResponseWriter, r *http.Request, u auth.User)

// authorize is the one check every route passes: public routes go
// straight through; the rest need a valid session or bearer token (401),
// a same-origin request when the cookie authenticates it (403, see
// checkOrigin), and a role that permits the route's action and no pending
// password change (403, authz.Check).
func (s *Server) authorize(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Action == authz.ActionPublic {
			if err := checkOrigin(r, credNone); err != nil {
				writeError(w, http.StatusForbidden, err.Error())
				return
			}
			rt.handler(w, r, auth.User{})
			return
		}
		token, cred := requestCredential(r)
		if token == "" {
			writeError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		u, err := s.opts.Users.Authenticate(r.Context(), token)
		if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
			// Not a bad session: one the database cannot check now. A 401
			// would log the console out and stop its live view.
			s.log.Warn("cannot check a session", "err", err)
			writeError(w, http.StatusServiceUnavailable, "the database is unreachable; try again")
			return
		}
		if err != nil {
			writeError(w, http.StatusUnauthorized, "session expired or invalid; log in again")
			return
		}
		if s.opts.OnAuthenticated != nil {
			s.opts.OnAuthenticated(r)
		}
		if err := checkOrigin(r, cred); err != nil {
			writeError(w, http.StatusForbidden, err.Error())
			return
		}
		if err := authz.Check(u, rt.Action); err != nil {
			writeError(w, http.StatusForbidden, err.Error())
			return
		}
		rt.handler(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	})
}

func requestToken(r *http.Request) string {
	token, _ := requestCredential(r)
	return token
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type userResponse struct {
	Token              string   `json:"token,omitempty"`
	User               string   `json:"user"`
	Role               string   `json:"role"`
	Stations           []string `json:"stations"`
	MustChangePassword bool     `json:"must_change_password"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, _ auth.User) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Username == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "username and password are required")
		return
	}
	token, u, err := s.opts.Users.Login(r.Context(), req.Username, req.Password, remoteIP(r))
	s.auditLogin(r, req.Username, err)
	if err != nil {
		s.loginError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opts.SecureCookies,
	})
	resp := toUserResponse(u)
	resp.Token = token
	writeJSON(w, http.StatusOK, resp)
}

// loginError answers a refused login: 429 with Retry-After before the
// password was checked, 401 for a wrong password or a disabled account,
// 503 when the gateway could not check it or open the session (a store
// failure is not the user's wrong password).
func (s *Server) loginError(w http.ResponseWriter, err error) {
	var limited *auth.RateLimitError
	switch {
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", retryAfterSeconds(limited.RetryAfter))
		msg := "too many failed logins; try again later"
		if limited.Busy {
			msg = "too many logins at once; try again in a moment"
		}
		writeError(w, http.StatusTooManyRequests, msg)
	case errors.Is(err, auth.ErrInvalidCredentials), errors.Is(err, auth.ErrUserDisabled):
		writeError(w, http.StatusUnauthorized, "invalid username or password")
	default:
		s.log.Error("login", "err", err)
		writeError(w, http.StatusServiceUnavailable, "login is unavailable: the gateway cannot use its database; try again later")
	}
}

func (s *Server) handleWhoAmI(w http.ResponseWriter, r *http.Request, u auth.User) {
	writeJSON(w, http.StatusOK, toUserResponse(u))
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, u auth.User) {
	if err := s.opts.Users.Logout(r.Context(), requestToken(r)); err != nil {
		s.log.Warn("logout", "user", u.Name, "err", err)
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionLogout, Detail: map[string]any{"ip": remoteIP(r)}})
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opts.SecureCookies,
	})
	w.WriteHeader(http.StatusNoContent)
}

func toUserResponse(u auth.User) userResponse {
	stations := u.Stations
	if stations == nil {
		stations = []string{}
	}
	return userResponse{User: u.Name, Role: string(u.Role), Stations: stations, MustChangePassword: u.MustChangePassword}
}

// remoteIP is the client's address without port, for rate limiting and
// audit. Proxies are not trusted: X-Forwarded-For is ignored.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
