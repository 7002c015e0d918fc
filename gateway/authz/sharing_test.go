package authz

import (
	"testing"

	"vigil/gateway/auth"
)

func TestSharing(t *testing.T) {
	t.Parallel()
	li := auth.User{Name: "li", Role: auth.RoleDispatcher, Stations: []string{"bjx"}}
	op := auth.User{Name: "op", Role: auth.RoleOperator}
	viewer := auth.User{Name: "vi", Role: auth.RoleViewer}
	for _, tc := range []struct {
		name          string
		s             Sharing
		u             auth.User
		see, canWrite bool
	}{
		{"own private", Sharing{Owner: "li"}, li, true, true},
		{"another's private", Sharing{Owner: "op"}, li, false, false},
		{"another's shared", Sharing{Owner: "op", Shared: true}, li, true, false},
		{"shared, by an operator", Sharing{Owner: "li", Shared: true}, op, true, true},
		{"private, by an operator", Sharing{Owner: "li"}, op, false, false},
		{"station default of one's station", Sharing{Owner: "admin", Station: "bjx"}, li, true, false},
		{"station default of another station", Sharing{Owner: "admin", Station: "bj"}, li, false, false},
		{"station default, by an operator", Sharing{Owner: "admin", Station: "bj"}, op, true, true},
		{"a viewer's own", Sharing{Owner: "vi"}, viewer, true, false},
	} {
		if got := tc.s.VisibleTo(tc.u); got != tc.see {
			t.Errorf("%s: VisibleTo = %v, want %v", tc.name, got, tc.see)
		}
		if got := tc.s.EditableBy(tc.u); got != tc.canWrite {
			t.Errorf("%s: EditableBy = %v, want %v", tc.name, got, tc.canWrite)
		}
	}
}
