package authz

import (
	"testing"

	"vigil/gateway/auth"
)

func TestAllowed(t *testing.T) {
	t.Parallel()
	roles := []auth.Role{auth.RoleViewer, auth.RoleDispatcher, auth.RoleOperator, auth.RoleAdmin}
	want := map[Action][4]bool{ // viewer, dispatcher, operator, admin
		ActionPublic:        {true, true, true, true},
		ActionAccount:       {true, true, true, true},
		ActionTokens:        {true, true, true, true},
		ActionSession:       {true, true, true, true},
		ActionView:          {true, true, true, true},
		ActionOwnLayouts:    {false, true, true, true},
		ActionSharedLayouts: {false, false, true, true},
		ActionControlWalls:  {false, false, true, true},
		ActionExportClips:   {false, true, true, true},
		ActionReadAudit:     {false, false, false, true},
		ActionManageUsers:   {false, false, false, true},
		ActionMetrics:       {false, false, true, true},
		ActionReadCluster:   {false, false, false, true},

		ActionBookmarks:      {false, true, true, true},
		ActionLockEvidence:   {false, false, true, true},
		ActionUnlockEvidence: {false, false, false, true},

		ActionAckAlarms:    {false, true, true, true},
		ActionControlPTZ:   {false, true, true, true},
		ActionAddCameras:   {false, false, false, true},
		Action("nonsense"): {false, false, false, false},
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

func TestMustChangePasswordLeavesOnlyAccount(t *testing.T) {
	t.Parallel()
	u := auth.User{Name: "admin", Role: auth.RoleAdmin, MustChangePassword: true}
	for a := range minRole {
		err := Check(u, a)
		if a == ActionAccount && err != nil {
			t.Errorf("%s denied: %v", a, err)
		}
		if a != ActionAccount && err != ErrMustChangePassword {
			t.Errorf("%s: %v, want ErrMustChangePassword", a, err)
		}
	}
	if Check(u, ActionPublic) != nil {
		t.Error("public denied")
	}
	if Check(auth.User{Role: auth.RoleViewer, MustChangePassword: true}, ActionManageUsers) != ErrRole {
		t.Error("the role is checked first")
	}
}

func TestScopedUsersGetNoAllStationActions(t *testing.T) {
	t.Parallel()
	u := auth.User{Name: "op", Role: auth.RoleOperator, Stations: []string{"bjn"}}
	if Check(u, ActionMetrics) != ErrScope {
		t.Error("a scoped operator reads metrics of every camera")
	}
	if Check(u, ActionControlWalls) != nil || Check(auth.User{Role: auth.RoleOperator}, ActionMetrics) != nil {
		t.Error("scope denies too much")
	}
}
