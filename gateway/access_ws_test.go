package gateway_test

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway/auth"
)

// wsCase sends one client message type and checks the answer for a user
// of all stations and for one scoped to bjn (whose camera is the other).
type wsCase func(t *testing.T, c *consoleClient, scoped bool)

// wsCases has one entry per client message type of the console protocol.
// A type documented in signal/PROTOCOL.md without an entry fails the walk.
func wsCases() map[string]wsCase {
	return map[string]wsCase{
		"offer": func(t *testing.T, c *consoleClient, scoped bool) {
			c.waitFor(t, "health of bjn-hall-01", clean(t, scoped, func(m map[string]any) bool {
				return m["type"] == "camera" && m["id"] == "bjn-hall-01"
			}))
			c.negotiate(t)
		},
		"candidate": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "candidate", "candidate": map[string]any{"candidate": ""}})
			c.send(t, map[string]any{"type": "follow", "wall": "main"})
			c.waitFor(t, "layout after a candidate", clean(t, scoped, isType("layout")))
		},
		"assign": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01", "quality": "sub"})
			m := c.waitFor(t, "tile 0", clean(t, scoped, func(m map[string]any) bool {
				return m["type"] == "tile" && m["tile"] == float64(0)
			}))
			if denied := m["state"] == "denied"; denied != scoped {
				t.Errorf("assign bjx-nsq-01 (scoped %v): %v", scoped, m)
			}
		},
		"clear": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "clear", "tile": 0})
			c.waitFor(t, "idle tile", clean(t, scoped, isTile(0, "idle")))
		},
		"follow": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "follow", "wall": "main"})
			c.waitFor(t, "layout", clean(t, scoped, isType("layout")))
		},
		"audio": func(t *testing.T, c *consoleClient, scoped bool) {
			// Sound follows what the tile may show: a hidden camera's
			// tile has none to offer and its id is not named.
			c.send(t, map[string]any{"type": "assign", "tile": 1, "camera": "bjx-nsq-01"})
			c.send(t, map[string]any{"type": "audio", "tile": 1})
			m := c.waitFor(t, "audio state", clean(t, scoped, isType("audio")))
			if scoped && (m["camera"] != nil || m["state"] != "no_audio") {
				t.Errorf("audio of a hidden camera's tile: %v", m)
			}
			if !scoped && m["camera"] != "bjx-nsq-01" {
				t.Errorf("audio of tile 1: %v", m)
			}
		},
		"ptz": func(t *testing.T, c *consoleClient, scoped bool) {
			// twoStations' cameras have no PTZ: a role that may move domes
			// hears so, a viewer that it may not; a hidden camera is unknown.
			c.send(t, map[string]any{"type": "ptz", "camera": "bjx-nsq-01", "op": "stop"})
			m := c.waitFor(t, "ptz answer", clean(t, scoped, isType("ptz")))
			want := map[bool]string{false: "no_ptz", true: "not_found"}[scoped]
			if m["ok"] != false || (m["code"] != want && m["code"] != "forbidden") {
				t.Errorf("ptz on bjx-nsq-01 (scoped %v): %v", scoped, m)
			}
		},
		"play": func(t *testing.T, c *consoleClient, scoped bool) {
			// Nothing is recorded here: a visible camera's tile says so,
			// a hidden one is denied as for assign.
			start := time.Now().Add(-time.Minute).Format(time.RFC3339)
			c.send(t, map[string]any{"type": "play", "tile": 2, "camera": "bjx-nsq-01", "start": start, "speed": 4})
			want := map[bool]string{false: "no_recording", true: "denied"}[scoped]
			c.waitFor(t, "tile 2 "+want, clean(t, scoped, isTile(2, want)))
		},
		"pause": tileNotPlaying("pause", 3),
		"step":  tileNotPlaying("step", 4),
		"live":  tileNotPlaying("live", 5),
		"link": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "link", "tiles": []int{0, 1}})
			c.send(t, map[string]any{"type": "follow", "wall": "main"})
			c.waitFor(t, "layout after a link", clean(t, scoped, isType("layout")))
		},
		"mute": func(t *testing.T, c *consoleClient, scoped bool) {
			c.send(t, map[string]any{"type": "mute"})
			c.waitFor(t, "muted", clean(t, scoped, func(m map[string]any) bool {
				return m["type"] == "audio" && m["state"] == "idle" && m["tile"] == float64(-1)
			}))
		},
	}
}

// tileNotPlaying sends typ to a tile showing a camera live (or denied):
// the tile repeats its state, no error.
func tileNotPlaying(typ string, tile int) wsCase {
	return func(t *testing.T, c *consoleClient, scoped bool) {
		c.send(t, map[string]any{"type": "assign", "tile": tile, "camera": "bjx-nsq-01"})
		c.send(t, map[string]any{"type": typ, "tile": tile})
		seen := 0
		c.waitFor(t, fmt.Sprintf("tile %d twice", tile), clean(t, scoped, func(m map[string]any) bool {
			if m["type"] == "tile" && m["tile"] == float64(tile) {
				seen++
			}
			return seen == 2
		}))
	}
}

// clean wraps a matcher so that an error message, or for a user scoped to
// bjn a message about a camera of another station, fails the test.
func clean(t *testing.T, scoped bool, match func(map[string]any) bool) func(map[string]any) bool {
	return func(m map[string]any) bool {
		if m["type"] == "error" {
			t.Errorf("error message: %v", m)
		}
		if m["type"] == "camera" && scoped && m["station"] != "bjn" {
			t.Errorf("camera of another station pushed: %v", m)
		}
		return match(m)
	}
}

// documentedClientTypes reads the client message types from the protocol.
func documentedClientTypes(t *testing.T) []string {
	doc, err := os.ReadFile("signal/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(`(?s)## Client → server(.*?)## Server → client`).FindSubmatch(doc)
	if section == nil {
		t.Fatal("PROTOCOL.md has no client → server section")
	}
	var types []string
	for _, m := range regexp.MustCompile(`\{"type":"(\w+)"`).FindAllSubmatch(section[1], -1) {
		if !slices.Contains(types, string(m[1])) {
			types = append(types, string(m[1]))
		}
	}
	return types
}

func TestEveryConsoleMessageForEveryRole(t *testing.T) {
	cases := wsCases()
	var tourID string // the shared tour, created once the gateway runs
	maps.Copy(cases, tourWSCases(&tourID))
	types := documentedClientTypes(t)
	for _, typ := range types {
		if cases[typ] == nil {
			t.Errorf("client message %q has no entry in wsCases", typ)
		}
	}
	for typ := range cases {
		if !slices.Contains(types, typ) {
			t.Errorf("wsCases has %q, which PROTOCOL.md does not document", typ)
		}
	}
	order := []string{"offer", "candidate", "assign", "clear", "follow", "audio", "mute", "ptz", "play", "pause", "step", "live", "link", "tour", "tour_pause"}
	if len(order) != len(cases) {
		t.Fatalf("order %v does not list every case", order)
	}

	g := startTestGateway(t, twoStations)
	tw := &testWalk{testGateway: g}
	tourID = tw.sharedTour()
	// Without credentials the WebSocket does not open.
	_, resp, err := websocket.DefaultDialer.Dial(wsURL(g.URL()), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous WebSocket: %v %v", err, resp)
	}
	for _, role := range []auth.Role{auth.RoleViewer, auth.RoleDispatcher, auth.RoleOperator, auth.RoleAdmin} {
		for _, scoped := range []bool{false, true} {
			w := tw.newWalker(role, scoped)
			c := dialConsole(t, g.URL(), w.token, "")
			for _, typ := range order {
				cases[typ](t, c, scoped)
			}
			// Health pushes name only the user's cameras.
			deadline := time.After(200 * time.Millisecond)
		drain:
			for {
				select {
				case m := <-c.msgs:
					if m["type"] == "camera" && scoped && m["station"] != "bjn" {
						t.Errorf("%s got a camera of another station: %v", w.user, m)
					}
				case <-deadline:
					break drain
				}
			}
			c.ws.Close()
		}
	}
}
