// Package audit records who did what to the gateway's append-only,
// hash-chained audit log (store.AppendAudit). Callers on hot paths (a
// viewer's WebRTC session ending, a clip export finishing) hand entries to a
// Recorder and go on: the store-backed Log buffers them and writes them from
// one goroutine, so the media path never waits on the database.
package audit

import (
	"context"
	"time"
)

// The actions the gateway records. Detail keys used with them: ip (client
// address), via ("whep" or "tile"), tile (number), duration_s (seconds),
// reason (why something failed), target (the user an admin acted on).
const (
	ActionLogin            = "login"
	ActionLoginFailed      = "login.failed"
	ActionLogout           = "logout"
	ActionPasswordChange   = "password.change"
	ActionViewStart        = "view.start"
	ActionViewEnd          = "view.end"
	ActionWallSet          = "wall.set"
	ActionClipExport       = "clip.export"
	ActionClipDownload     = "clip.download"
	ActionClipVerifyFailed = "clip.verify_failed"
	ActionUserCreate       = "user.create"
	ActionUserUpdate       = "user.update"
	ActionUserDelete       = "user.delete"
	ActionSessionsRevoke   = "user.sessions_revoke"
	ActionTokenCreate      = "token.create"
	ActionTokenRevoke      = "token.revoke"
	ActionConfigLoad       = "config.load"
	ActionConfigReload     = "config.reload"
	// ActionAuditLost marks a gap: detail "count" entries could be stored
	// neither in the database nor in the spool. `vigil audit verify`
	// reports every marker.
	ActionAuditLost = "audit.lost"
	ActionShutdown  = "gateway.shutdown"

	// Bookmarks and evidence locks (detail: id, from, to, title, locked).
	ActionBookmarkCreate = "bookmark.create"
	ActionBookmarkUpdate = "bookmark.update"
	ActionBookmarkDelete = "bookmark.delete"
	ActionEvidenceLock   = "evidence.lock"
	ActionEvidenceUnlock = "evidence.unlock"
	// ActionSnapshot: a still of a camera downloaded (detail: t, "live" or
	// the recorded time).
	ActionSnapshot = "snapshot"
	// ActionRuleRun is a linked-action rule acting on an alarm (detail:
	// rule, alarm, type and what each action did).
	ActionRuleRun = "rule.run"
)

// Entry is one thing that happened.
type Entry struct {
	Time   time.Time // when; zero means now
	User   string    // who; "" for the system itself
	Action string    // one of the Action constants
	Camera string    // the camera concerned, if any
	Detail map[string]any
}

// Recorder takes audit entries. Record never waits on the database; an
// entry it cannot store is counted, logged and marked in the chain by the
// implementation. Callers about to start something they must audit (a
// // view, an export) ask Healthy first.
type Recorder interface {
	Record(ctx context.Context, e Entry)
}

// HealthChecker is implemented by Recorders that can lose entries (Log):
// Healthy returns an error while they are losing them, and the caller
// refuses the action (503) instead of letting it go unaudited.
type HealthChecker interface {
	Healthy() error
}

// Healthy returns rec's health: nil for a Recorder that cannot tell.
func Healthy(rec Recorder) error {
	if h, ok := rec.(HealthChecker); ok {
		return h.Healthy()
	}
	return nil
}

// Nop discards entries (tests and tools that need no audit).
type Nop struct{}

// Record implements Recorder.
func (Nop) Record(context.Context, Entry) {}
