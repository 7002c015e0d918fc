package gateway_test

import (
	"net/http"
	"strings"
	"testing"

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
	put(op, shared.ID, `{"name":"all 2","grid":"1","cameras":["bj-zt-01"],"shared":true}`, 200)
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

	// Walls take saved layouts.
	body := `{"layout_id":"` + station.ID + `"}`
	if resp := do(t, "PUT", base+"/api/walls/main", op, strings.NewReader(body)); resp.StatusCode != 200 {
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
