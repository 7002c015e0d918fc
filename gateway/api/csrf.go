package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// errCrossOrigin refuses a request that a browser made for another site.
var errCrossOrigin = errors.New("cross-origin request refused")

// checkOrigin is the gateway's CSRF defence. Cookies ride along on
// requests other sites make (SameSite=Strict stops other sites, not other
// ports of the same host), so a request authenticated by the session cookie
// that changes state (POST, PUT, PATCH, DELETE) or opens a WebSocket must
// prove it comes from the console's own origin: an Origin header equal to
// the request's host, or, without Origin, Sec-Fetch-Site: same-origin. A
// cookie request with a foreign Origin is refused whatever its method.
// Bearer-token requests are exempt: a browser never adds that header by
// itself. Login (no credentials yet) is refused only with a foreign Origin.
func checkOrigin(r *http.Request, cred credential) error {
	if cred == credBearer {
		return nil
	}
	origin := r.Header.Get("Origin")
	if origin != "" {
		if sameOrigin(origin, r) || (cred == credNone && !isStateChanging(r)) {
			return nil
		}
		return errCrossOrigin
	}
	if cred == credCookie && (isStateChanging(r) || isUpgrade(r)) && r.Header.Get("Sec-Fetch-Site") != "same-origin" {
		return errCrossOrigin
	}
	return nil
}

// credential is how a request authenticates.
type credential int

const (
	credNone credential = iota
	credCookie
	credBearer
)

// requestCredential returns the request's token and how it came.
func requestCredential(r *http.Request) (string, credential) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t), credBearer
		}
		return "", credNone
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return c.Value, credCookie
	}
	return "", credNone
}

func isStateChanging(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// sameOrigin reports whether origin (scheme://host[:port]) names the host
// the request was sent to. The scheme only decides the default port: a
// TLS-terminating proxy in front changes it.
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		u.Path != "" || u.User != nil || u.RawQuery != "" {
		return false
	}
	return strings.EqualFold(stripDefaultPort(u.Host, u.Scheme), stripDefaultPort(r.Host, u.Scheme))
}

func stripDefaultPort(host, scheme string) string {
	if scheme == "http" {
		return strings.TrimSuffix(host, ":80")
	}
	return strings.TrimSuffix(host, ":443")
}
