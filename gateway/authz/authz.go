// Package authz is the gateway's one authorization check path. Every API
// route and WebSocket message names the Action it performs; Allowed says
// whether a user's role permits it, and CanSeeCamera whether the camera
// exists for the user at all. No handler makes its own role decisions.
package authz

import (
	"errors"

	"vigil/gateway/auth"
)

// Action is something a user asks the gateway to do.
type Action string

// The actions of the gateway. Public routes use ActionPublic and any
// logged-in user may do ActionSession things (their own session, lists
// filtered to their stations).
const (
	ActionPublic        Action = "public"
	ActionAccount       Action = "account"        // own session and password: whoami, logout, change password
	ActionSession       Action = "session"        // station lists, the console WebSocket's own messages
	ActionTokens        Action = "tokens"         // own API tokens (admins: everyone's, with ActionManageUsers)
	ActionView          Action = "view"           // live video, camera status
	ActionOwnLayouts    Action = "own_layouts"    // save and delete own layouts
	ActionSharedLayouts Action = "shared_layouts" // shared and station layouts
	ActionControlWalls  Action = "control_walls"  // push layouts to video walls
	ActionExportClips   Action = "export_clips"   // export and download incident clips
	ActionReadAudit     Action = "read_audit"
	ActionManageUsers   Action = "manage_users"
	ActionMetrics       Action = "metrics"
	ActionReadCluster   Action = "read_cluster"  // nodes and camera owners
	ActionControlPTZ    Action = "control_ptz"   // move domes, go to, save and delete presets
	ActionAddCameras    Action = "add_cameras"   // discover ONVIF devices on the station network
	ActionManageConfig  Action = "manage_config" // reload the config, read the webhook delivery log

	ActionBookmarks      Action = "bookmarks"       // create bookmarks; edit and delete own ones
	ActionLockEvidence   Action = "lock_evidence"   // lock a bookmark's range against retention; edit others' bookmarks
	ActionUnlockEvidence Action = "unlock_evidence" // unlock, or delete a locked bookmark
	ActionAckAlarms      Action = "ack_alarms"      // acknowledge alarms of cameras the user sees
)

// minRole is the least role that may perform each action.
var minRole = map[Action]auth.Role{
	ActionAccount:       auth.RoleViewer,
	ActionSession:       auth.RoleViewer,
	ActionTokens:        auth.RoleViewer,
	ActionView:          auth.RoleViewer,
	ActionOwnLayouts:    auth.RoleDispatcher,
	ActionSharedLayouts: auth.RoleOperator,
	ActionControlWalls:  auth.RoleOperator,
	ActionExportClips:   auth.RoleDispatcher,
	ActionReadAudit:     auth.RoleAdmin,
	ActionManageUsers:   auth.RoleAdmin,
	ActionMetrics:       auth.RoleOperator,
	ActionReadCluster:   auth.RoleAdmin,

	ActionBookmarks:      auth.RoleDispatcher,
	ActionLockEvidence:   auth.RoleOperator,
	ActionUnlockEvidence: auth.RoleAdmin,
	ActionAckAlarms:      auth.RoleDispatcher,
	ActionManageConfig:   auth.RoleAdmin,
	ActionControlPTZ:     auth.RoleDispatcher,
	ActionAddCameras:     auth.RoleAdmin,
}

// allStations are the actions whose answers cover every camera (metrics
// are labelled by camera id; a config reload and the webhook delivery
// log cover every station): users limited to some stations may not.
var allStations = map[Action]bool{ActionMetrics: true, ActionManageConfig: true}

// Reasons Check denies an action; the messages are shown to the user.
var (
	ErrRole               = errors.New("your role does not allow this")
	ErrScope              = errors.New("this covers every station; your account is limited to some")
	ErrMustChangePassword = errors.New("you must change your password before using the gateway (PUT /api/session/password)")
)

// Allowed reports whether u may perform a. Unknown actions are denied.
func Allowed(u auth.User, a Action) bool { return Check(u, a) == nil }

// Check is Allowed with the reason for a denial: the role (ErrRole), a
// station scope too narrow for an all-station action (ErrScope), or a
// password that must be changed first, which leaves only ActionAccount
// (ErrMustChangePassword).
func Check(u auth.User, a Action) error {
	if a == ActionPublic {
		return nil
	}
	min, ok := minRole[a]
	if !ok || !u.Role.AtLeast(min) {
		return ErrRole
	}
	if allStations[a] && len(u.Stations) > 0 {
		return ErrScope
	}
	if u.MustChangePassword && a != ActionAccount {
		return ErrMustChangePassword
	}
	return nil
}

// CanSeeStation reports whether the station exists for u.
func CanSeeStation(u auth.User, station string) bool { return u.CanSeeStation(station) }
