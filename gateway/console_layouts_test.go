package gateway_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"vigil/gateway/auth"
	"vigil/streams/sim"
)

type layoutOut struct {
	ID, Name, Owner, Station, Grid string
	Shared, Editable               bool
	Cameras                        []string
}

func TestLayoutsAPI(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	g, admin := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{
		"bjx": {"bjx-nsq-01"}, "bj": {"bj-zt-01"},
	}))
	viewer := addUser(t, g, "wang", "viewer")
	disp := addUser(t, g, "li", "dispatcher", "bj")
	op := addUser(t, g, "zhao", "operator", "bj")
	base := g.URL()

	create := func(token, body string, want int) layoutOut {
		t.Helper()
		resp := do(t, "POST", base+"/api/layouts", token, strings.NewReader(body))
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %s, want %d", body, resp.Status, want)
		}
		var l layoutOut
		if want == http.StatusCreated {
			decode(t, resp, &l)
		}
		return l
	}
	// Refusals write nothing.
	create(viewer, `{"name":"v","grid":"1","cameras":[]}`, 403)
	create(disp, `{"name":"s","grid":"1","cameras":[],"shared":true}`, 403)
	create(disp, `{"name":"s","grid":"1","cameras":[],"station":"bj"}`, 403)
	create(disp, `{"name":"x","grid":"3x4","cameras":[]}`, 400)
	create(disp, `{"name":"x","grid":"1","cameras":["bj-zt-01","bj-zt-01"]}`, 400)
	create(disp, `{"name":"x","grid":"1","cameras":["bjx-nsq-01"]}`, 400) // not one of li's stations
	create(disp, `{"name":"","grid":"1","cameras":[]}`, 400)
	create(disp, `{"name":"x","grid":"1","cameras":[],"owner":"admin"}`, 400)
	create(op, `{"name":"x","grid":"1","cameras":[],"station":"bjx"}`, 400)

	own := create(disp, `{"name":"mine","grid":"2x2","cameras":["bj-zt-01",""]}`, 201)
	shared := create(admin, `{"name":"all","grid":"2x2","cameras":["bjx-nsq-01","bj-zt-01"],"shared":true}`, 201)
	station := create(admin, `{"name":"bj default","grid":"1","cameras":["bj-zt-01"],"station":"bj"}`, 201)
	create(op, `{"name":"bj ops","grid":"1","cameras":[],"station":"bj"}`, 201)
	if own.Owner != "li" || !own.Editable || own.Grid != "2x2" {
		t.Fatalf("created %+v", own)
	}

	list := func(token string) map[string]layoutOut {
		t.Helper()
		var out struct{ Layouts []layoutOut }
		decode(t, do(t, "GET", base+"/api/layouts", token, nil), &out)
		m := map[string]layoutOut{}
		for _, l := range out.Layouts {
			m[l.Name] = l
		}
		return m
	}
	li := list(disp)
	if len(li) != 4 || li["all"].Cameras[0] != "" || li["all"].Cameras[1] != "bj-zt-01" || li["all"].Editable {
		t.Fatalf("li's layouts %+v (the shared one must hide bjx's camera)", li)
	}
	if w := list(viewer); len(w) != 3 || w["mine"].ID != "" {
		t.Fatalf("wang's layouts %+v: li's own layout must not be listed", w)
	}
	if resp := do(t, "GET", base+"/api/layouts/"+own.ID, viewer, nil); resp.StatusCode != 404 {
		t.Fatalf("another user's layout: %s, want 404", resp.Status)
	}

	// The owner edits; others may not; operators edit shared layouts.
	put := func(token, id, body string, want int) {
		t.Helper()
		if resp := do(t, "PUT", base+"/api/layouts/"+id, token, strings.NewReader(body)); resp.StatusCode != want {
			t.Fatalf("PUT %s %s: %s, want %d", id, body, resp.Status, want)
		}
	}
	put(disp, own.ID, `{"name":"mine 2","grid":"1","cameras":["bj-zt-01"]}`, 200)
	put(disp, shared.ID, `{"name":"all","grid":"1","cameras":[]}`, 403)
	put(op, shared.ID, `{"name":"all 2","grid":"2x2","cameras":["","bj-zt-01"],"shared":true}`, 200)
	put(op, shared.ID, `{"name":"all 2","grid":"1","cameras":["bj-zt-01"],"shared":true}`, 409) // would drop bjx's tile
	put(op, own.ID, `{"name":"x","grid":"1","cameras":[]}`, 404)
	if l := list(disp)["mine 2"]; l.Grid != "1" || l.Owner != "li" {
		t.Fatalf("after PUT: %+v", l)
	}

	// The admin's station layout is the station's default.
	var st struct {
		Stations []struct {
			ID     string
			Layout struct {
				Grid    string
				Cameras []string
			}
		}
	}
	decode(t, do(t, "GET", base+"/api/stations", disp, nil), &st)
	if len(st.Stations) != 1 || st.Stations[0].Layout.Grid != "1" || st.Stations[0].Layout.Cameras[0] != "bj-zt-01" {
		t.Fatalf("stations %+v: want bj's default from the admin's station layout", st)
	}

	// Walls take saved layouts. (main serves every station: not zhao's.)
	body := `{"layout_id":"` + station.ID + `"}`
	if resp := do(t, "PUT", base+"/api/walls/main", admin, strings.NewReader(body)); resp.StatusCode != 200 {
		t.Fatalf("wall from layout: %s", resp.Status)
	}

	if resp := do(t, "DELETE", base+"/api/layouts/"+own.ID, op, nil); resp.StatusCode != 404 {
		t.Fatalf("operator deleting a private layout: %s", resp.Status)
	}
	if resp := do(t, "DELETE", base+"/api/layouts/"+own.ID, disp, nil); resp.StatusCode != 204 {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	if resp := do(t, "GET", base+"/api/layouts/"+own.ID, disp, nil); resp.StatusCode != 404 {
		t.Fatalf("deleted layout: %s", resp.Status)
	}
}

// scopedConfig has a camera in each of two stations (offline: layouts and
// walls need none online) and walls of all, of bjx and of bjn.
const scopedConfig = twoStations + `walls:
  - id: main
  - id: bjx-wall
    stations: [bjx]
  - id: bjn-wall
    stations: [bjn]
`

// TestScopedOperatorKeepsOtherStationsTiles: an operator of bjn saves an
// admin's shared layout as he sees it, with bjx's tile empty; the tile keeps
// its camera for everyone (finding 7 of issue 17), and he can neither move,
// remove nor cover it.
func TestScopedOperatorKeepsOtherStationsTiles(t *testing.T) {
	g := startTestGateway(t, scopedConfig)
	g.createUser("zhao", auth.RoleOperator, "bjn")
	op := g.login("zhao", userPassword)
	var shared layoutOut
	g.admin.must(201, "POST", "/api/layouts", map[string]any{"name": "all", "grid": "2x2", "shared": true,
		"cameras": []string{"bjn-hall-01", "bjx-nsq-01"}}, &shared)
	path := "/api/layouts/" + shared.ID
	stored := func() []string {
		var l layoutOut
		g.admin.must(200, "GET", path, nil, &l)
		return l.Cameras
	}

	var seen layoutOut
	op.must(200, "GET", path, nil, &seen)
	if !slices.Equal(seen.Cameras, []string{"bjn-hall-01", ""}) || !seen.Editable {
		t.Fatalf("zhao sees %+v", seen)
	}
	// Saved as he sees it, then shorter, then his own tile cleared: bjx's
	// camera stays on tile 1.
	for _, cams := range [][]string{seen.Cameras, {"bjn-hall-01"}, {"", ""}} {
		var got layoutOut
		op.must(200, "PUT", path, map[string]any{"name": "all", "grid": "2x2", "shared": true, "cameras": cams}, &got)
		if got.Cameras[1] != "" {
			t.Fatalf("zhao's answer shows %v", got.Cameras)
		}
		if s := stored(); len(s) < 2 || s[1] != "bjx-nsq-01" {
			t.Fatalf("after zhao saved %q the layout is %q: bjx's camera was erased", cams, s)
		}
	}
	before := stored()
	for _, body := range []map[string]any{
		{"name": "all", "grid": "2x2", "shared": true, "cameras": []string{"", "bjn-hall-01"}}, // covers it
		{"name": "all", "grid": "1", "shared": true, "cameras": []string{"bjn-hall-01"}},       // drops its tile
	} {
		op.must(409, "PUT", path, body, nil)
	}
	op.must(400, "PUT", path, map[string]any{"name": "all", "grid": "2x2", "cameras": []string{"bjx-nsq-01"}}, nil)
	op.must(409, "DELETE", path, nil, nil)
	if s := stored(); !slices.Equal(s, before) {
		t.Fatalf("refused writes changed the layout: %q, was %q", s, before)
	}
	// Who sees every camera may change every tile.
	var cleared layoutOut
	g.admin.must(200, "PUT", path, map[string]any{"name": "all", "grid": "1", "shared": true, "cameras": []string{}}, &cleared)
	if len(cleared.Cameras) != 0 {
		t.Fatalf("admin's write: %+v", cleared)
	}
}

// TestWallsFollowStationScope: an operator of bjn neither sees nor replaces
// the wall of bjx, and may not replace what the wall of all stations shows
// (finding 7 of issue 17); on his own station's wall he pushes only his
// cameras. He still follows the wall of all stations, with bjx's tiles
// blank.
func TestWallsFollowStationScope(t *testing.T) {
	g := startTestGateway(t, scopedConfig)
	g.createUser("zhao", auth.RoleOperator, "bjn")
	op := g.login("zhao", userPassword)
	push := map[string]any{"grid": "1", "cameras": []string{"bjx-nsq-01"}}
	g.admin.must(200, "PUT", "/api/walls/bjx-wall", push, nil)
	g.admin.must(200, "PUT", "/api/walls/main", push, nil)

	var list struct {
		Walls []struct {
			ID           string
			Controllable bool
		}
	}
	op.must(200, "GET", "/api/walls", nil, &list)
	if fmt.Sprint(list.Walls) != "[{main false} {bjn-wall true}]" {
		t.Fatalf("zhao is listed %v, want main (not his to change) and bjn-wall", list.Walls)
	}
	mine := map[string]any{"grid": "1", "cameras": []string{"bjn-hall-01"}}
	op.must(404, "PUT", "/api/walls/bjx-wall", mine, nil)
	op.must(403, "PUT", "/api/walls/main", mine, nil)
	op.must(400, "PUT", "/api/walls/bjn-wall", push, nil)
	op.must(200, "PUT", "/api/walls/bjn-wall", mine, nil)

	var all struct {
		Walls []struct {
			ID     string
			Layout struct{ Cameras []string }
		}
	}
	g.admin.must(200, "GET", "/api/walls", nil, &all)
	shows := map[string][]string{}
	for _, w := range all.Walls {
		shows[w.ID] = w.Layout.Cameras
	}
	if !slices.Equal(shows["bjx-wall"], []string{"bjx-nsq-01"}) || !slices.Equal(shows["main"], []string{"bjx-nsq-01"}) ||
		!slices.Equal(shows["bjn-wall"], []string{"bjn-hall-01"}) {
		t.Fatalf("walls after zhao's pushes: %v", shows)
	}
	if n := countAudit(g.auditEntries("action=wall.set"), func(e auditEntry) bool { return e.User == "zhao" }); n != 1 {
		t.Fatalf("%d wall.set entries by zhao, want 1 (refused pushes write none)", n)
	}

	// His console follows the walls listed to him, and no other.
	ws := dialConsole(t, g.URL(), op.token, "")
	ws.send(t, map[string]any{"type": "follow", "wall": "bjx-wall"})
	ws.waitFor(t, "an error for bjx-wall", func(m map[string]any) bool {
		return m["type"] == "error" && strings.Contains(fmt.Sprint(m["message"]), "no such wall")
	})
	ws.send(t, map[string]any{"type": "follow", "wall": "main"})
	m := ws.waitFor(t, "main's layout", func(m map[string]any) bool {
		return m["type"] == "layout" && m["wall"] == "main"
	})
	if cams := stringsOf(m["layout"].(map[string]any)["cameras"]); cams != "[]" {
		t.Fatalf("main shows zhao %s, want bjx's camera blank", cams)
	}
}
