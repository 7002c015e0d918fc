package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

// Accounts is the user and token administration the API uses;
// *auth.Service implements it.
type Accounts interface {
	ListAccounts(ctx context.Context) ([]auth.Account, error)
	Account(ctx context.Context, name string) (auth.Account, error)
	CreateAccount(ctx context.Context, a auth.NewAccount) (auth.Account, error)
	UpdateAccount(ctx context.Context, actor, name string, ch auth.AccountChange) (auth.Account, error)
	DeleteAccount(ctx context.Context, actor, name string) error
	RevokeSessions(ctx context.Context, name string) (int64, error)
	ChangePassword(ctx context.Context, token, oldPassword, newPassword string) error
	CreateAPIToken(ctx context.Context, username, name string) (string, auth.APIToken, error)
	ListAPITokens(ctx context.Context, username string) ([]auth.APIToken, error)
	APITokenByID(ctx context.Context, id string) (auth.APIToken, error)
	RevokeAPIToken(ctx context.Context, id string) error
}

// AuditLog is the audit reading the API does; *store.Store implements it.
type AuditLog interface {
	ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error)
}

// flusher is implemented by recorders that buffer (audit.Log): the audit
// page flushes before it reads, so it shows what just happened.
type flusher interface {
	Flush(ctx context.Context) error
}

// accessRoutes are the routes of access control: users, tokens, the own
// password and the audit log.
func (s *Server) accessRoutes() []Route {
	return []Route{
		{"PUT", "/api/session/password", authz.ActionAccount, s.handleChangePassword},
		{"GET", "/api/users", authz.ActionManageUsers, s.handleListUsers},
		{"POST", "/api/users", authz.ActionManageUsers, s.handleCreateUser},
		{"PUT", "/api/users/{name}", authz.ActionManageUsers, s.handleUpdateUser},
		{"DELETE", "/api/users/{name}", authz.ActionManageUsers, s.handleDeleteUser},
		{"DELETE", "/api/users/{name}/sessions", authz.ActionManageUsers, s.handleRevokeSessions},
		{"GET", "/api/tokens", authz.ActionTokens, s.handleListTokens},
		{"POST", "/api/tokens", authz.ActionTokens, s.handleCreateToken},
		{"DELETE", "/api/tokens/{id}", authz.ActionTokens, s.handleRevokeToken},
		{"GET", "/api/audit", authz.ActionReadAudit, s.handleAudit},
	}
}

// record hands an audit entry to the recorder; it never blocks.
func (s *Server) record(ctx context.Context, e audit.Entry) {
	if s.opts.Audit != nil {
		s.opts.Audit.Record(ctx, e)
	}
}

// audited wraps the handler of a view or an export: while the audit trail
// is losing entries (database and spool both refuse) it answers 503, so
// nothing it could not record is started.
func (s *Server) audited(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, u auth.User) {
		if err := audit.Healthy(s.Audit()); err != nil {
			s.log.Error("request refused: the audit trail is unavailable", "user", u.Name, "path", r.URL.Path, "err", err)
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, "the audit trail cannot record: views and exports are refused until it can")
			return
		}
		h(w, r, u)
	}
}

// Audit returns the recorder, for handlers of other files (walls, clips).
func (s *Server) Audit() audit.Recorder {
	if s.opts.Audit == nil {
		return audit.Nop{}
	}
	return s.opts.Audit
}

// auditLogin records a login attempt: success, or failure with the reason,
// and each lock a failure engaged, once. Attempts refused before their
// password was checked (locked out, busy) are not recorded one by one: an
// attacker could flood the log with them, and they tell nothing new.
func (s *Server) auditLogin(r *http.Request, username string, err error) {
	ip := remoteIP(r)
	if err == nil {
		s.record(r.Context(), audit.Entry{User: username, Action: audit.ActionLogin, Detail: map[string]any{"ip": ip}})
		return
	}
	reason := loginFailureReason(err)
	s.loginFailures.add(reason)
	if reason == failRateLimited || reason == failBusy {
		return
	}
	s.log.Warn("login failed", "user", clipRunes(username, 64), "ip", ip, "reason", reason)
	s.record(r.Context(), audit.Entry{User: clipRunes(username, 64), Action: audit.ActionLoginFailed,
		Detail: map[string]any{"ip": ip, "reason": reason}})
	s.auditLockouts(r, username, err)
}

// auditLockouts records the locks a failed password engaged, one entry
// each: login.failed with reason "locked_out", the lock's scope and its
// length in seconds.
func (s *Server) auditLockouts(r *http.Request, username string, err error) {
	var failed *auth.FailedLoginError
	if !errors.As(err, &failed) {
		return
	}
	ip := remoteIP(r)
	for _, l := range failed.Engaged {
		s.log.Warn("login locked out", "user", clipRunes(username, 64), "ip", ip, "scope", l.Scope, "for", l.For)
		s.record(r.Context(), audit.Entry{User: clipRunes(username, 64), Action: audit.ActionLoginFailed,
			Detail: map[string]any{"ip": ip, "reason": "locked_out", "scope": l.Scope, "locked_s": int(l.For / time.Second)}})
	}
}

// clipRunes cuts s to at most n runes.
func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// accountError answers an error of user or token administration.
func (s *Server) accountError(w http.ResponseWriter, what string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such "+what)
	case errors.Is(err, store.ErrExists):
		writeError(w, http.StatusConflict, what+" already exists")
	case errors.Is(err, auth.ErrLastAdmin), errors.Is(err, auth.ErrSelf), errors.Is(err, auth.ErrTooManyTokens):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, auth.ErrPasswordTooShort), errors.Is(err, auth.ErrPasswordTooLong):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("account administration", "what", what, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}
