package gateway_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/internal/testwait"
)

// tourStations: bjn's three cameras and one of bjx (offline: tours need
// no video to step), and a wall of all stations.
const tourStations = `stations:
  - id: bjx
    name: 北京西站
    cameras:
      - {id: bjx-nsq-01, name: 北广场 1, url: "rtsp://127.0.0.1:1/bjx"}
  - id: bjn
    name: 北京南站
    cameras:
      - {id: bjn-hall-01, name: 候车大厅 1, url: "rtsp://127.0.0.1:1/a"}
      - {id: bjn-hall-02, name: 候车大厅 2, url: "rtsp://127.0.0.1:1/b"}
      - {id: bjn-plt-01, name: 站台 1, url: "rtsp://127.0.0.1:1/c"}
walls:
  - id: main
`

// tourCameras is the shared tour's list: bjx's camera between bjn's.
var tourCameras = []string{"bjn-hall-01", "bjx-nsq-01", "bjn-hall-02", "bjn-plt-01"}

func startTourGateway(t *testing.T) (*testGateway, string) {
	t.Helper()
	t.Cleanup(gateway.SetTourUnit(5 * time.Millisecond))
	g := startTestGateway(t, tourStations)
	var tour tourOut
	g.admin.must(201, "POST", "/api/tours", map[string]any{"name": "全站", "dwell_s": 2, "shared": true,
		"cameras": tourCameras}, &tour)
	return g, tour.ID
}

// tourSteps collects the cameras of n steps of the tour on tile ("grid"
// or a tile number as float64), failing on a camera of another station.
func tourSteps(t *testing.T, c *consoleClient, tile any, n int) [][]string {
	t.Helper()
	var steps [][]string
	for len(steps) < n {
		m := c.waitFor(t, "a tour step", func(m map[string]any) bool {
			return m["type"] == "tour" && m["tile"] == tile && m["state"] == "running" && m["cameras"] != nil
		})
		cams := []string{}
		for _, v := range m["cameras"].([]any) {
			cams = append(cams, v.(string))
		}
		if slices.Contains(cams, "bjx-nsq-01") {
			t.Fatalf("step %v shows a camera of a station outside the user's", m)
		}
		steps = append(steps, cams)
	}
	return steps
}

// TestConsoleTourSkipsHiddenCameras: a user of bjn runs the shared tour on
// a tile and then on the grid; bjx's camera is skipped (never sent), the
// last page of the grid is partial, pause and stop are told back.
func TestConsoleTourSkipsHiddenCameras(t *testing.T) {
	g, tourID := startTourGateway(t)
	g.createUser("li", auth.RoleViewer, "bjn")
	li := g.login("li", userPassword)
	c := dialConsole(t, g.URL(), li.token, "")

	c.send(t, map[string]any{"type": "tour", "tile": 2, "tour": tourID})
	steps := tourSteps(t, c, float64(2), 4)
	want := [][]string{{"bjn-hall-01"}, {"bjn-hall-02"}, {"bjn-plt-01"}, {"bjn-hall-01"}}
	if !slices.EqualFunc(steps, want, slices.Equal) {
		t.Fatalf("tile steps %v, want %v", steps, want)
	}

	c.send(t, map[string]any{"type": "tour_pause", "tile": 2, "paused": true})
	c.waitFor(t, "paused", func(m map[string]any) bool { return m["type"] == "tour" && m["state"] == "paused" })
	c.send(t, map[string]any{"type": "tour_pause", "tile": 2, "paused": false})
	c.waitFor(t, "resumed", func(m map[string]any) bool {
		return m["type"] == "tour" && m["state"] == "running" && m["cameras"] == nil
	})

	// The grid's tour replaces the tile's.
	c.send(t, map[string]any{"type": "tour", "tile": "grid", "tour": tourID, "tiles": 2})
	c.waitFor(t, "the tile's tour stopped", func(m map[string]any) bool {
		return m["type"] == "tour" && m["tile"] == float64(2) && m["state"] == "stopped"
	})
	grid := tourSteps(t, c, "grid", 3)
	wantGrid := [][]string{{"bjn-hall-01", "bjn-hall-02"}, {"bjn-plt-01"}, {"bjn-hall-01", "bjn-hall-02"}}
	if !slices.EqualFunc(grid, wantGrid, slices.Equal) {
		t.Fatalf("grid steps %v, want %v", grid, wantGrid)
	}
	c.send(t, map[string]any{"type": "tour", "tile": "grid", "tour": ""})
	c.waitFor(t, "the grid's tour stopped", func(m map[string]any) bool {
		return m["type"] == "tour" && m["tile"] == "grid" && m["state"] == "stopped"
	})
}

// TestConsoleTourUnknownOrPrivate: another user's private tour is as
// unknown as a missing one, and a tour of only hidden cameras stops.
func TestConsoleTourUnknownOrPrivate(t *testing.T) {
	g, _ := startTourGateway(t)
	g.createUser("li", auth.RoleDispatcher, "bjn")
	li := g.login("li", userPassword)
	var private, bjxOnly tourOut
	g.admin.must(201, "POST", "/api/tours", map[string]any{"name": "私有", "dwell_s": 2,
		"cameras": []string{"bjn-hall-01"}}, &private)
	g.admin.must(201, "POST", "/api/tours", map[string]any{"name": "西站", "dwell_s": 2, "shared": true,
		"cameras": []string{"bjx-nsq-01"}}, &bjxOnly)
	c := dialConsole(t, g.URL(), li.token, "")
	for tour, reason := range map[string]string{"nope": "no_such_tour", private.ID: "no_such_tour", bjxOnly.ID: "no_cameras"} {
		c.send(t, map[string]any{"type": "tour", "tile": 0, "tour": tour})
		m := c.waitFor(t, "a refusal", isType("tour"))
		if m["state"] != "stopped" || m["reason"] != reason || m["cameras"] != nil {
			t.Fatalf("tour %s: %v, want stopped with %s", tour, m, reason)
		}
	}
}

// TestWallRunsTourUnattended: an operator starts a tour on a wall and no
// console is open; the wall's state steps through the tour's cameras.
// Putting cameras on the wall ends the tour.
func TestWallRunsTourUnattended(t *testing.T) {
	g, tourID := startTourGateway(t)
	type wallOut struct {
		ID     string
		Layout struct {
			Grid    string
			Cameras []string
			Tour    string
		}
	}
	wall := func() wallOut {
		var out struct{ Walls []wallOut }
		g.admin.must(200, "GET", "/api/walls", nil, &out)
		return out.Walls[0]
	}
	g.admin.must(400, "PUT", "/api/walls/main", map[string]any{"tour_id": "nope"}, nil)
	g.admin.must(400, "PUT", "/api/walls/main", map[string]any{"tour_id": tourID, "grid": "3x4"}, nil)
	g.admin.must(200, "PUT", "/api/walls/main", map[string]any{"tour_id": tourID, "grid": "1"}, nil)
	seen := map[string]bool{}
	testwait.For(t, "the wall to show every camera of the tour", func() bool {
		w := wall()
		if w.Layout.Tour != tourID || w.Layout.Grid != "1" || len(w.Layout.Cameras) != 1 {
			t.Fatalf("wall %+v", w)
		}
		seen[w.Layout.Cameras[0]] = true
		return len(seen) == len(tourCameras)
	})
	g.admin.must(200, "PUT", "/api/walls/main", map[string]any{"grid": "1", "cameras": []string{"bjn-plt-01"}}, nil)
	if w := wall(); w.Layout.Tour != "" || !slices.Equal(w.Layout.Cameras, []string{"bjn-plt-01"}) {
		t.Fatalf("after a put the wall shows %+v", w)
	}
}

// TestWallTourResumesAfterRestart: a wall's tour goes on after the gateway
// restarts, with no one to start it again.
func TestWallTourResumesAfterRestart(t *testing.T) {
	t.Cleanup(gateway.SetTourUnit(5 * time.Millisecond))
	dataDir := filepath.Join(t.TempDir(), "data")
	sameData := func(o *gateway.Options) { o.DataDir = dataDir }
	first := startTestGateway(t, tourStations, sameData)
	var tour tourOut
	first.admin.must(201, "POST", "/api/tours", map[string]any{"name": "全站", "dwell_s": 2, "shared": true,
		"cameras": tourCameras}, &tour)
	first.admin.must(200, "PUT", "/api/walls/main", map[string]any{"tour_id": tour.ID, "grid": "1"}, nil)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	g := startTestGateway(t, tourStations, sameData)
	seen := map[string]bool{}
	testwait.For(t, "the restarted wall to step through the tour", func() bool {
		var out struct {
			Walls []struct {
				Layout struct {
					Cameras []string
					Tour    string
				}
			}
		}
		g.admin.must(200, "GET", "/api/walls", nil, &out)
		l := out.Walls[0].Layout
		if l.Tour != tour.ID {
			t.Fatalf("wall after restart %+v", l)
		}
		seen[strings.Join(l.Cameras, ",")] = true
		return len(seen) == len(tourCameras)
	})
}
