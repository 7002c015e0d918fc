package auth

import "testing"

func TestRoles(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"admin", "operator", "dispatcher", "viewer"} {
		if r, err := ParseRole(s); err != nil || string(r) != s {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("root accepted")
	}
	tests := []struct {
		r                    Role
		export, walls, admin bool
	}{
		{RoleViewer, false, false, false},
		{RoleDispatcher, true, false, false},
		{RoleOperator, true, true, false},
		{RoleAdmin, true, true, true},
		{Role("root"), false, false, false},
	}
	for _, tt := range tests {
		if tt.r.CanExportClips() != tt.export || tt.r.CanControlWalls() != tt.walls || tt.r.IsAdmin() != tt.admin {
			t.Errorf("%s: export %v walls %v admin %v", tt.r, tt.r.CanExportClips(), tt.r.CanControlWalls(), tt.r.IsAdmin())
		}
	}
	if Role("").AtLeast(RoleViewer) {
		t.Error("empty role has rights")
	}
}

func TestCanSeeStation(t *testing.T) {
	t.Parallel()
	all := User{Name: "a"}
	some := User{Name: "b", Stations: []string{"bjx", "qh"}}
	if !all.CanSeeStation("bj") || !some.CanSeeStation("qh") || some.CanSeeStation("bj") {
		t.Fatal("CanSeeStation wrong")
	}
}

func TestSharesStations(t *testing.T) {
	t.Parallel()
	all := User{Name: "a"}
	some := User{Name: "b", Stations: []string{"bjx", "qh"}}
	for _, tt := range []struct {
		u        User
		stations []string
		want     bool
	}{
		{all, nil, true}, {all, []string{"bj"}, true},
		{some, nil, true}, // a wall of every station shows his too
		{some, []string{"bj", "qh"}, true}, {some, []string{"bj"}, false},
	} {
		if got := tt.u.SharesStations(tt.stations); got != tt.want {
			t.Errorf("%v.SharesStations(%v) = %v, want %v", tt.u.Stations, tt.stations, got, tt.want)
		}
	}
}

func TestCoversStations(t *testing.T) {
	t.Parallel()
	all := User{Name: "a"}
	some := User{Name: "b", Stations: []string{"bjx", "qh"}}
	for _, tt := range []struct {
		u        User
		stations []string
		want     bool
	}{
		{all, nil, true}, {all, []string{"bj"}, true},
		{some, nil, false}, // a wall of every station is not his
		{some, []string{"bjx"}, true}, {some, []string{"qh", "bjx"}, true},
		{some, []string{"bjx", "bj"}, false}, {some, []string{"bj"}, false},
	} {
		if got := tt.u.CoversStations(tt.stations); got != tt.want {
			t.Errorf("%v.CoversStations(%v) = %v, want %v", tt.u.Stations, tt.stations, got, tt.want)
		}
	}
}
