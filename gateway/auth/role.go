package auth

import (
	"fmt"
	"slices"
)

// Role is what a user may do. Each role includes the rights of the ones
// below it: viewer < dispatcher < operator < admin.
type Role string

// The roles, lowest first.
const (
	RoleViewer     Role = "viewer"     // watches live video
	RoleDispatcher Role = "dispatcher" // + exports clips, saves own layouts
	RoleOperator   Role = "operator"   // + switches video walls, shares layouts
	RoleAdmin      Role = "admin"      // + users, audit log
)

var roleRank = map[Role]int{RoleViewer: 1, RoleDispatcher: 2, RoleOperator: 3, RoleAdmin: 4}

// ParseRole returns the role named s, or an error naming the valid ones.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("role %q: must be admin, operator, dispatcher or viewer", s)
	}
	return r, nil
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r has all the rights of min. An unknown role has
// none.
func (r Role) AtLeast(min Role) bool { return r.Valid() && roleRank[r] >= roleRank[min] }

// CanExportClips: dispatchers and above export evidence clips.
func (r Role) CanExportClips() bool { return r.AtLeast(RoleDispatcher) }

// CanControlWalls: operators and above switch what walls show and share
// layouts with everyone.
func (r Role) CanControlWalls() bool { return r.AtLeast(RoleOperator) }

// IsAdmin: admins manage users and read the audit log.
func (r Role) IsAdmin() bool { return r == RoleAdmin }

// User is an authenticated user as the rest of the gateway sees it.
type User struct {
	Name               string
	Role               Role
	Stations           []string // station ids the user may see; empty = all
	MustChangePassword bool
}

// CanSeeStation reports whether the user may see the station's cameras.
func (u User) CanSeeStation(id string) bool {
	return len(u.Stations) == 0 || slices.Contains(u.Stations, id)
}

// SharesStations reports whether the user sees any of stations; an empty
// list stands for every station, which every user shares.
func (u User) SharesStations(stations []string) bool {
	return len(u.Stations) == 0 || len(stations) == 0 || slices.ContainsFunc(stations, u.CanSeeStation)
}

// CoversStations reports whether all of stations are within the user's
// scope. An empty list stands for every station (a wall of all stations),
// which only a user of all stations covers.
func (u User) CoversStations(stations []string) bool {
	if len(u.Stations) == 0 {
		return true
	}
	return len(stations) > 0 && !slices.ContainsFunc(stations, func(id string) bool { return !u.CanSeeStation(id) })
}
