package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

type tokenJSON struct {
	ID        string `json:"id"`
	User      string `json:"user"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	LastUsed  string `json:"last_used"` // "" when never used
	Revoked   bool   `json:"revoked"`
	Token     string `json:"token,omitempty"` // only in the answer that creates it
}

func toTokenJSON(t auth.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, User: t.User, Name: t.Name, CreatedAt: rfc3339(t.CreatedAt),
		LastUsed: rfc3339(t.LastUsed), Revoked: t.Revoked}
}

type createTokenRequest struct {
	Name string `json:"name"`
}

func parseCreateToken(req createTokenRequest) (string, error) {
	return req.Name, auth.CheckTokenName(req.Name)
}

// handleListTokens lists the user's own tokens; an admin sees everyone's
// (?user= narrows it).
func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request, u auth.User) {
	owner := u.Name
	if authz.Allowed(u, authz.ActionManageUsers) {
		owner = r.URL.Query().Get("user")
	}
	list, err := s.opts.Accounts.ListAPITokens(r.Context(), owner)
	if err != nil {
		s.accountError(w, "token", err)
		return
	}
	out := make([]tokenJSON, 0, len(list))
	for _, t := range list {
		out = append(out, toTokenJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, u auth.User) {
	var req createTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name, err := parseCreateToken(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	secret, t, err := s.opts.Accounts.CreateAPIToken(r.Context(), u.Name, name)
	if err != nil {
		s.accountError(w, "token", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionTokenCreate,
		Detail: map[string]any{"token": t.ID, "name": t.Name}})
	out := toTokenJSON(t)
	out.Token = secret
	writeJSON(w, http.StatusCreated, out)
}

// handleRevokeToken revokes one of the user's tokens, or any for an admin;
// other users' tokens answer like unknown ones.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, u auth.User) {
	t, err := s.opts.Accounts.APITokenByID(r.Context(), r.PathValue("id"))
	if err == nil && t.User != u.Name && !authz.Allowed(u, authz.ActionManageUsers) {
		err = store.ErrNotFound
	}
	if err == nil {
		err = s.opts.Accounts.RevokeAPIToken(r.Context(), t.ID)
	}
	if err != nil {
		s.accountError(w, "token", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionTokenRevoke,
		Detail: map[string]any{"token": t.ID, "name": t.Name, "owner": t.User}})
	w.WriteHeader(http.StatusNoContent)
}

type passwordRequest struct {
	Old string `json:"old"`
	New string `json:"new"`
}

func parsePassword(req passwordRequest) error {
	if req.Old == "" {
		return errors.New("the current password (old) is required")
	}
	return auth.CheckPasswordPolicy(req.New)
}

// handleChangePassword is the user changing their own password; the
// session making the change stays, the user's other sessions and API
// tokens end.
func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request, u auth.User) {
	var req passwordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := parsePassword(req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	err := s.opts.Accounts.ChangePassword(r.Context(), requestToken(r), req.Old, req.New)
	var limited *auth.RateLimitError
	switch {
	case errors.As(err, &limited):
		w.Header().Set("Retry-After", retryAfterSeconds(limited.RetryAfter))
		msg := "too many wrong passwords; try again later"
		if limited.Busy {
			msg = "too many password checks at once; try again in a moment"
		}
		writeError(w, http.StatusTooManyRequests, msg)
		return
	case errors.Is(err, auth.ErrInvalidCredentials):
		s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionPasswordChange,
			Detail: map[string]any{"ip": remoteIP(r), "ok": false}})
		s.auditLockouts(r, u.Name, err)
		writeError(w, http.StatusForbidden, "the current password is wrong")
		return
	case errors.Is(err, auth.ErrUnauthenticated):
		writeError(w, http.StatusUnauthorized, "session expired or invalid; log in again")
		return
	case errors.Is(err, auth.ErrSamePassword):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.accountError(w, "user", err)
		return
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionPasswordChange,
		Detail: map[string]any{"ip": remoteIP(r), "ok": true}})
	w.WriteHeader(http.StatusNoContent)
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(d.Round(time.Second)/time.Second) + 1)
}

// rfc3339 formats t in UTC with milliseconds, "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
