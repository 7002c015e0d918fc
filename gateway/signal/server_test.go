package signal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/gateway/store"
	"vigil/internal/testwait"
)

// The Server's dependencies are interfaces (deps.go), so a Server runs
// here on a real WebSocket with none of the gateway: cameras from a map,
// health from a fixed list, walls from memory.

type mapCameras map[string]*catalog.Camera

func (m mapCameras) Camera(id string) (*catalog.Camera, bool) { c, ok := m[id]; return c, ok }

type fixedHealth []CameraHealth

func (h fixedHealth) Snapshot() []CameraHealth                    { return h }
func (h fixedHealth) Subscribe(func(CameraHealth)) (unsub func()) { return func() {} }

// memWalls holds walls by id; a wall is visible to users of its station.
type memWalls struct {
	mu       sync.Mutex
	stations map[string]string // wall → station
	walls    map[string]store.Wall
	subs     map[string]chan store.Wall
}

func (w *memWalls) Visible(u auth.User, id string) bool {
	st, ok := w.stations[id]
	return ok && u.CanSeeStation(st)
}

func (w *memWalls) Get(_ context.Context, id string) (store.Wall, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wall, ok := w.walls[id]
	if !ok {
		return store.Wall{}, ErrNoWall
	}
	return wall, nil
}

func (w *memWalls) Subscribe(id string) (<-chan store.Wall, func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan store.Wall, 1)
	w.subs[id] = ch
	return ch, func() {}
}

// put changes a wall and tells its follower, once it follows.
func (w *memWalls) put(t *testing.T, wall store.Wall) {
	var ch chan store.Wall
	testwait.For(t, "a console following "+wall.ID, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		ch = w.subs[wall.ID]
		return ch != nil
	})
	w.mu.Lock()
	w.walls[wall.ID] = wall
	w.mu.Unlock()
	ch <- wall
}

// startServer serves consoles of user u at a ws:// URL on 127.0.0.1.
func startServer(t *testing.T, opts Options, u auth.User) string {
	t.Helper()
	s := New(opts)
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		s.Serve(ws, u, "token")
	}))
	t.Cleanup(func() { s.Close(); hs.Close() })
	return "ws" + strings.TrimPrefix(hs.URL, "http")
}

// next reads messages until one of type typ.
func next(t *testing.T, ws *websocket.Conn, typ string) map[string]any {
	t.Helper()
	for {
		_ = ws.SetReadDeadline(time.Now().Add(testwait.Cap))
		var m map[string]any
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %q: %v", typ, err)
		}
		if m["type"] == typ {
			return m
		}
	}
}

func TestServerRunsOnItsInterfaces(t *testing.T) {
	walls := &memWalls{stations: map[string]string{"bjx-wall": "bjx", "bj-wall": "bj"},
		walls: map[string]store.Wall{"bjx-wall": {ID: "bjx-wall", Layout: store.WallLayout{Grid: "2x2",
			Cameras: []string{"bjx-1", "bj-1"}}}}, subs: map[string]chan store.Wall{}}
	opts := Options{
		Catalog: mapCameras{"bjx-1": {ID: "bjx-1", Station: "bjx"}, "bj-1": {ID: "bj-1", Station: "bj"}},
		Health:  fixedHealth{{ID: "bjx-1", Station: "bjx", State: "online"}},
		Walls:   walls,
	}
	url := startServer(t, opts, auth.User{Name: "op", Role: auth.RoleOperator, Stations: []string{"bjx"}})
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()

	if m := next(t, ws, "camera"); m["id"] != "bjx-1" || m["state"] != "online" {
		t.Fatalf("health %v", m)
	}
	send := func(v any) {
		if err := ws.WriteJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "follow", "wall": "bj-wall"})
	if m := next(t, ws, "error"); m["message"] != "no such wall" {
		t.Fatalf("another station's wall: %v", m)
	}
	send(map[string]any{"type": "follow", "wall": "bjx-wall"})
	if got := layoutCameras(next(t, ws, "layout")); got != "bjx-1," {
		t.Fatalf("layout cameras %q: the other station's camera must be blanked", got)
	}
	walls.put(t, store.Wall{ID: "bjx-wall", Layout: store.WallLayout{Grid: "1", Cameras: []string{"bjx-1"}}})
	if got := layoutCameras(next(t, ws, "layout")); got != "bjx-1" {
		t.Fatalf("changed layout cameras %q", got)
	}
}

func layoutCameras(m map[string]any) string {
	b, _ := json.Marshal(m["layout"].(map[string]any)["cameras"])
	var cams []string
	_ = json.Unmarshal(b, &cams)
	return strings.Join(cams, ",")
}
