package authz

import "vigil/gateway/auth"

// Sharing is who may see and change what users save for each other:
// layouts and tours. It is the one rule both follow, in the API and on
// the console's socket.
type Sharing struct {
	Owner   string
	Station string // a station's default layout; "" for the rest
	Shared  bool
}

// VisibleTo: one's own, shared ones, and a station's defaults for users of
// that station. Anything else does not exist for the user.
func (s Sharing) VisibleTo(u auth.User) bool {
	switch {
	case s.Owner == u.Name:
		return true
	case s.Station != "":
		return u.CanSeeStation(s.Station)
	}
	return s.Shared
}

// EditableBy: the owner (a dispatcher or above), or operators for shared
// and station ones.
func (s Sharing) EditableBy(u auth.User) bool {
	if s.Owner == u.Name && Allowed(u, ActionOwnLayouts) {
		return true
	}
	return (s.Shared || s.Station != "") && Allowed(u, ActionSharedLayouts)
}
