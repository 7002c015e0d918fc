package authz

import (
	"testing"

	"vigil/gateway/auth"
)

func TestAllowed(t *testing.T) {
	roles := []auth.Role{auth.RoleViewer, auth.RoleDispatcher, auth.RoleOperator, auth.RoleAdmin}
	want := map[Action][4]bool{ // viewer, dispatcher, operator, admin
		ActionPublic:        {true, true, true, true},
		ActionSession:       {true, true, true, true},
		ActionView:          {true, true, true, true},
		ActionOwnLayouts:    {false, true, true, true},
		ActionSharedLayouts: {false, false, true, true},
		ActionControlWalls:  {false, false, true, true},
		ActionExportClips:   {false, true, true, true},
		ActionReadAudit:     {false, false, false, true},
		ActionManageUsers:   {false, false, false, true},
		ActionMetrics:       {false, false, true, true},
		Action("nonsense"):  {false, false, false, false},
	}
	for a, w := range want {
		for i, r := range roles {
			if got := Allowed(auth.User{Name: "u", Role: r}, a); got != w[i] {
				t.Errorf("Allowed(%s, %s) = %v, want %v", r, a, got, w[i])
			}
		}
	}
	if Allowed(auth.User{Role: "bogus"}, ActionView) {
		t.Error("an invalid role may view")
	}
}
