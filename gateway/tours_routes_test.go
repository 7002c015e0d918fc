package gateway_test

import (
	"slices"
	"testing"

	"vigil/gateway/auth"
)

// tourRouteCases are the authorization walk's cases of the tours and
// favourites routes (access_routes_test.go).
func tourRouteCases() map[string]routeCase {
	return map[string]routeCase{
		"GET /api/tours": {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/tours", nil)},
		"POST /api/tours": {min: auth.RoleDispatcher, ok: 201, scoped: 400, call: simple("POST", "/api/tours",
			map[string]any{"name": "西站轮巡", "dwell_s": 5, "cameras": []string{"bjx-nsq-01"}})},
		"GET /api/tours/{id}": {min: auth.RoleViewer, ok: 200, call: func(tw *testWalk, w *walker) int {
			return simple("GET", "/api/tours/"+tw.sharedTour(), nil)(tw, w)
		}},
		"PUT /api/tours/{id}": {min: auth.RoleDispatcher, ok: 200, call: func(tw *testWalk, w *walker) int {
			return simple("PUT", "/api/tours/"+tw.ownTour(w), map[string]any{"name": "改", "dwell_s": 2,
				"cameras": []string{"bjn-hall-01"}})(tw, w)
		}},
		"DELETE /api/tours/{id}": {min: auth.RoleDispatcher, ok: 204, call: func(tw *testWalk, w *walker) int {
			return simple("DELETE", "/api/tours/"+tw.ownTour(w), nil)(tw, w)
		}},
		"GET /api/favourites":          {min: auth.RoleViewer, ok: 200, call: simple("GET", "/api/favourites", nil)},
		"PUT /api/favourites/{camera}": {min: auth.RoleViewer, ok: 204, call: simple("PUT", "/api/favourites/bjn-hall-01", nil)},
		"DELETE /api/favourites/{camera}": {min: auth.RoleViewer, ok: 204, call: func(tw *testWalk, w *walker) int {
			if w != nil {
				w.client.do("PUT", "/api/favourites/bjn-hall-01", nil)
			}
			return simple("DELETE", "/api/favourites/bjn-hall-01", nil)(tw, w)
		}},
	}
}

// sharedTour creates a tour every user may run (the admin's, shared) and
// returns its id.
func (tw *testWalk) sharedTour() string {
	var out struct{ ID string }
	tw.admin.must(201, "POST", "/api/tours", map[string]any{"name": "全站", "dwell_s": 10, "shared": true,
		"cameras": []string{"bjx-nsq-01", "bjn-hall-01"}}, &out)
	return out.ID
}

// ownTour creates a private tour of w (of the admin for callers that may
// not have one) and returns its id.
func (tw *testWalk) ownTour(w *walker) string {
	owner := tw.admin
	if w != nil && w.role.AtLeast(auth.RoleDispatcher) {
		owner = w.client
	}
	var out struct{ ID string }
	owner.must(201, "POST", "/api/tours", map[string]any{"name": "我的", "dwell_s": 3, "cameras": []string{"bjn-hall-01"}}, &out)
	return out.ID
}

// tourWSCases are the authorization walk's cases of the tour messages
// (access_ws_test.go): the shared tour of *id (bjx's camera, then bjn's)
// runs with bjx's camera skipped for a user of bjn, and is paused and
// stopped.
func tourWSCases(id *string) map[string]wsCase {
	isTour := func(state string) func(map[string]any) bool {
		return func(m map[string]any) bool {
			return m["type"] == "tour" && m["tile"] == float64(2) && m["state"] == state
		}
	}
	return map[string]wsCase{
		"tour": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "tour", "tile": 2, "tour": *id})
			m := c.waitFor(t, "the tour's first step", clean(t, scoped, isTour("running")))
			want := []any{"bjx-nsq-01"}
			if scoped {
				want = []any{"bjn-hall-01"}
			}
			if cams, _ := m["cameras"].([]any); !slices.Equal(cams, want) {
				t.Errorf("tour step (scoped %v): %v, want cameras %v", scoped, m, want)
			}
		},
		"tour_pause": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "tour_pause", "tile": 2, "paused": true})
			c.waitFor(t, "the tour paused", clean(t, scoped, isTour("paused")))
			c.send(t, map[string]any{"type": "tour", "tile": 2, "tour": ""})
			c.waitFor(t, "the tour stopped", clean(t, scoped, isTour("stopped")))
		},
	}
}
