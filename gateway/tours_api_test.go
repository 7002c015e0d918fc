package gateway_test

import (
	"slices"
	"testing"

	"vigil/gateway/auth"
)

type tourOut struct {
	ID, Name, Owner  string
	Shared, Editable bool
	DwellS           int `json:"dwell_s"`
	Cameras          []string
}

// TestToursAPI: tours are saved, listed, changed and deleted like layouts;
// a user of one station sees a shared tour without the other station's
// cameras (their ids are not leaked), and saving it keeps them for others.
func TestToursAPI(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("li", auth.RoleDispatcher, "bjn")
	g.createUser("zhao", auth.RoleOperator, "bjn")
	li, op := g.login("li", userPassword), g.login("zhao", userPassword)

	// Refusals store nothing.
	for _, body := range []map[string]any{
		{"name": "x", "dwell_s": 0, "cameras": []string{"bjn-hall-01"}},
		{"name": "x", "dwell_s": 3601, "cameras": []string{"bjn-hall-01"}},
		{"name": "", "dwell_s": 5, "cameras": []string{"bjn-hall-01"}},
		{"name": "x", "dwell_s": 5, "cameras": []string{}},
		{"name": "x", "dwell_s": 5, "cameras": []string{"bjx-nsq-01"}}, // not li's station
		{"name": "x", "dwell_s": 5, "cameras": []string{"nope"}},
		{"name": "x", "dwell_s": 5, "cameras": []string{"bjn-hall-01"}, "owner": "admin"},
	} {
		li.must(400, "POST", "/api/tours", body, nil)
	}
	li.must(403, "POST", "/api/tours", map[string]any{"name": "x", "dwell_s": 5, "shared": true,
		"cameras": []string{"bjn-hall-01"}}, nil)

	var own, shared tourOut
	li.must(201, "POST", "/api/tours", map[string]any{"name": "南站", "dwell_s": 2, "cameras": []string{"bjn-hall-01"}}, &own)
	g.admin.must(201, "POST", "/api/tours", map[string]any{"name": "全站", "dwell_s": 10, "shared": true,
		"cameras": []string{"bjx-nsq-01", "bjn-hall-01"}}, &shared)
	if own.Owner != "li" || own.DwellS != 2 || !own.Editable || !slices.Equal(own.Cameras, []string{"bjn-hall-01"}) {
		t.Fatalf("created %+v", own)
	}

	var list struct{ Tours []tourOut }
	li.must(200, "GET", "/api/tours", nil, &list)
	if len(list.Tours) != 2 {
		t.Fatalf("li's tours %+v", list.Tours)
	}
	var seen tourOut
	li.must(200, "GET", "/api/tours/"+shared.ID, nil, &seen)
	if !slices.Equal(seen.Cameras, []string{"bjn-hall-01"}) || seen.Editable {
		t.Fatalf("li sees the shared tour as %+v: bjx's camera must be skipped, not shown", seen)
	}
	g.admin.must(404, "GET", "/api/tours/"+own.ID, nil, nil) // private: not even the admin's to see

	// An operator of bjn saves the shared tour as he sees it: bjx's camera stays.
	op.must(200, "PUT", "/api/tours/"+shared.ID, map[string]any{"name": "全站 2", "dwell_s": 4, "shared": true,
		"cameras": []string{"bjn-hall-01", "bjn-hall-01"}}, nil)
	var stored tourOut
	g.admin.must(200, "GET", "/api/tours/"+shared.ID, nil, &stored)
	if want := []string{"bjn-hall-01", "bjn-hall-01", "bjx-nsq-01"}; !slices.Equal(stored.Cameras, want) || stored.DwellS != 4 {
		t.Fatalf("after zhao's write: %+v, want cameras %v", stored, want)
	}
	li.must(403, "PUT", "/api/tours/"+shared.ID, map[string]any{"name": "x", "dwell_s": 4, "cameras": []string{"bjn-hall-01"}}, nil)
	op.must(409, "DELETE", "/api/tours/"+shared.ID, nil, nil)
	op.must(404, "DELETE", "/api/tours/"+own.ID, nil, nil)

	li.must(204, "DELETE", "/api/tours/"+own.ID, nil, nil)
	li.must(404, "GET", "/api/tours/"+own.ID, nil, nil)
	g.admin.must(204, "DELETE", "/api/tours/"+shared.ID, nil, nil)
}

// TestFavouritesAPI: each user marks his own favourite cameras; a camera
// of another station cannot be marked and is never listed.
func TestFavouritesAPI(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("li", auth.RoleViewer, "bjn")
	li := g.login("li", userPassword)
	favourites := func(c *client) []string {
		var out struct{ Cameras []string }
		c.must(200, "GET", "/api/favourites", nil, &out)
		return out.Cameras
	}
	if got := favourites(li); len(got) != 0 {
		t.Fatalf("new user's favourites %v", got)
	}
	li.must(204, "PUT", "/api/favourites/bjn-hall-01", nil, nil)
	li.must(204, "PUT", "/api/favourites/bjn-hall-01", nil, nil) // again: no change
	li.must(404, "PUT", "/api/favourites/bjx-nsq-01", nil, nil)
	li.must(404, "PUT", "/api/favourites/nope", nil, nil)
	g.admin.must(204, "PUT", "/api/favourites/bjx-nsq-01", nil, nil)
	if got := favourites(li); !slices.Equal(got, []string{"bjn-hall-01"}) {
		t.Fatalf("li's favourites %v", got)
	}
	if got := favourites(g.admin); !slices.Equal(got, []string{"bjx-nsq-01"}) {
		t.Fatalf("admin's favourites %v", got)
	}
	li.must(204, "DELETE", "/api/favourites/bjn-hall-01", nil, nil)
	li.must(404, "DELETE", "/api/favourites/bjn-hall-01", nil, nil)
	if got := favourites(li); len(got) != 0 {
		t.Fatalf("after removal %v", got)
	}
}
