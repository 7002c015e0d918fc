// Package authz is the gateway's one authorization check path. Every API
// route and WebSocket message names the Action it performs; Allowed says
// whether a user's role permits it, and CanSeeCamera whether the camera
// exists for the user at all. No handler makes its own role decisions.
package authz

import (
	"vigil/gateway/auth"
)

// Action is something a user asks the gateway to do.
type Action string

// The actions of the gateway. Public routes use ActionPublic and any
// logged-in user may do ActionSession things (their own session, lists
// filtered to their stations).
const (
	ActionPublic        Action = "public"
	ActionSession       Action = "session"        // own session, station lists
	ActionView          Action = "view"           // live video, camera status
	ActionOwnLayouts    Action = "own_layouts"    // save and delete own layouts
	ActionSharedLayouts Action = "shared_layouts" // shared and station layouts
	ActionControlWalls  Action = "control_walls"  // push layouts to video walls
	ActionExportClips   Action = "export_clips"   // export and download incident clips
	ActionReadAudit     Action = "read_audit"
	ActionManageUsers   Action = "manage_users"
	ActionMetrics       Action = "metrics"
)

// minRole is the least role that may perform each action.
var minRole = map[Action]auth.Role{
	ActionSession:       auth.RoleViewer,
	ActionView:          auth.RoleViewer,
	ActionOwnLayouts:    auth.RoleDispatcher,
	ActionSharedLayouts: auth.RoleOperator,
	ActionControlWalls:  auth.RoleOperator,
	ActionExportClips:   auth.RoleDispatcher,
	ActionReadAudit:     auth.RoleAdmin,
	ActionManageUsers:   auth.RoleAdmin,
	ActionMetrics:       auth.RoleOperator,
}

// Allowed reports whether u's role permits a. Unknown actions are denied.
func Allowed(u auth.User, a Action) bool {
	if a == ActionPublic {
		return true
	}
	min, ok := minRole[a]
	return ok && u.Role.AtLeast(min)
}

// CanSeeStation reports whether the station exists for u.
func CanSeeStation(u auth.User, station string) bool { return u.CanSeeStation(station) }
