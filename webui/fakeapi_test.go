package webui_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"

	"vigil/webui"
)

// fakeAPI is the part of the gateway's API that the console uses, without
// video: the console WebSocket answers offers with a real (media-less) pion
// peer connection and assignments with tile states decided by camera id, so
// the UI's behaviour can be checked; playback is proven in gateway/e2e.
type fakeAPI struct {
	mu       sync.Mutex
	sessions map[string]bool
	layouts  []map[string]any
	walls    map[string]map[string]any
	received []map[string]any // console messages, offers' SDP left out
	conns    map[*fakeConn]bool
	nextID   int
}

type fakeConn struct {
	ws    *websocket.Conn
	mu    sync.Mutex
	pc    *webrtc.PeerConnection
	wall  string
	tiles map[int]string // tile → camera, as assigned (owned by serveWS)
}

const fakeCookie = "vigil_session"

func newFakeAPI() *fakeAPI {
	return &fakeAPI{
		sessions: map[string]bool{},
		walls:    map[string]map[string]any{"main": {"id": "main", "name": "主屏", "layout": map[string]any{"grid": "", "cameras": []string{}}}},
		conns:    map[*fakeConn]bool{},
	}
}

func (f *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", webui.Handler(""))
	mux.HandleFunc("POST /api/session", f.login)
	mux.HandleFunc("GET /api/session", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"user": "admin", "role": "admin", "stations": []string{}})
	}))
	mux.HandleFunc("DELETE /api/session", f.auth(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(fakeCookie)
		f.mu.Lock()
		delete(f.sessions, c.Value)
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: fakeCookie, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.HandleFunc("GET /api/stations", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"stations": fakeStations()})
	}))
	mux.HandleFunc("GET /api/layouts", f.auth(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"layouts": f.layouts})
	}))
	mux.HandleFunc("GET /api/layouts/{id}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, l := range f.layouts {
			if l["id"] == r.PathValue("id") {
				writeJSON(w, 200, l)
				return
			}
		}
		writeJSON(w, 404, map[string]string{"error": "no such layout"})
	}))
	mux.HandleFunc("POST /api/layouts", f.auth(f.createLayout))
	mux.HandleFunc("GET /api/walls", f.auth(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"walls": []any{f.walls["main"]}})
	}))
	mux.HandleFunc("PUT /api/walls/{id}", f.auth(f.putWall))
	mux.HandleFunc("GET /api/ws", f.auth(f.serveWS))
	// The timeline's reads: the fake records nothing.
	mux.HandleFunc("GET /api/recordings/{camera}", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"spans": []any{}, "bookmarks": []any{}})
	}))
	mux.HandleFunc("GET /api/bookmarks/locked", f.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"bytes": 0})
	}))
	return mux
}

func (f *fakeAPI) login(w http.ResponseWriter, r *http.Request) {
	var req struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad json"})
		return
	}
	switch {
	case req.Username == "flood":
		w.Header().Set("Retry-After", "30")
		writeJSON(w, 429, map[string]string{"error": "too many attempts"})
	case req.Username == "admin" && req.Password == "s3cret-pass":
		token := fmt.Sprintf("tok%d", time.Now().UnixNano())
		f.mu.Lock()
		f.sessions[token] = true
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: fakeCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		writeJSON(w, 200, map[string]any{"token": token, "user": "admin", "role": "admin", "must_change_password": false})
	default:
		writeJSON(w, 401, map[string]string{"error": "invalid credentials"})
	}
}

func (f *fakeAPI) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(fakeCookie)
		f.mu.Lock()
		ok := err == nil && f.sessions[c.Value]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, 401, map[string]string{"error": "not logged in"})
			return
		}
		next(w, r)
	}
}

func (f *fakeAPI) createLayout(w http.ResponseWriter, r *http.Request) {
	var l map[string]any
	if err := json.NewDecoder(r.Body).Decode(&l); err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad json"})
		return
	}
	f.mu.Lock()
	f.nextID++
	l["id"] = fmt.Sprintf("L%d", f.nextID)
	l["owner"] = "admin"
	l["editable"] = true
	f.layouts = append(f.layouts, l)
	f.mu.Unlock()
	writeJSON(w, 201, l)
}

func (f *fakeAPI) putWall(w http.ResponseWriter, r *http.Request) {
	var layout map[string]any
	if err := json.NewDecoder(r.Body).Decode(&layout); err != nil || r.PathValue("id") != "main" {
		writeJSON(w, 400, map[string]string{"error": "bad request"})
		return
	}
	f.mu.Lock()
	f.walls["main"]["layout"] = layout
	var followers []*fakeConn
	for c := range f.conns {
		if c.wall == "main" {
			followers = append(followers, c)
		}
	}
	f.mu.Unlock()
	for _, c := range followers {
		c.send(map[string]any{"type": "layout", "wall": "main", "layout": layout})
	}
	writeJSON(w, 200, f.walls["main"])
}

var upgrader = websocket.Upgrader{}

func (f *fakeAPI) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeConn{ws: ws, tiles: map[int]string{}}
	f.mu.Lock()
	f.conns[c] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
		if c.pc != nil {
			c.pc.Close()
		}
		ws.Close()
	}()
	for {
		var m map[string]any
		if err := ws.ReadJSON(&m); err != nil {
			return
		}
		f.mu.Lock()
		rec := map[string]any{}
		for k, v := range m {
			if k != "sdp" {
				rec[k] = v
			}
		}
		f.received = append(f.received, rec)
		f.mu.Unlock()
		f.handle(c, m)
	}
}

// handle answers one console message the way the gateway would.
func (f *fakeAPI) handle(c *fakeConn, m map[string]any) {
	switch m["type"] {
	case "offer":
		sdp, _ := m["sdp"].(string)
		answer, pc, err := fakeAnswer(sdp)
		if err != nil {
			c.send(map[string]any{"type": "error", "message": err.Error()})
			return
		}
		c.pc = pc
		c.send(map[string]any{"type": "answer", "sdp": answer})
	case "assign":
		camera, _ := m["camera"].(string)
		c.tiles[tileOf(m)] = camera
		c.send(fakeTile(m["tile"], camera))
	case "clear":
		delete(c.tiles, tileOf(m))
		c.send(map[string]any{"type": "tile", "tile": m["tile"], "camera": "", "state": "idle"})
	case "audio":
		c.send(fakeAudio(tileOf(m), c.tiles[tileOf(m)]))
	case "mute":
		c.send(map[string]any{"type": "audio", "tile": -1, "state": "idle"})
	case "follow":
		wall, _ := m["wall"].(string)
		f.mu.Lock()
		c.wall = wall
		layout := f.walls["main"]["layout"]
		f.mu.Unlock()
		c.send(map[string]any{"type": "layout", "wall": wall, "layout": layout})
	}
}

func tileOf(m map[string]any) int {
	f, _ := m["tile"].(float64)
	return int(f)
}

// fakeTile is the gateway's tile message for a camera: qh-* are denied,
// bj-hall-03 refuses its credentials, bjb-hall-03 needs ffmpeg,
// bjb-ssq-02 sends a codec nothing can show; bjx-nsq-01 is an H.265
// camera with sound (transcoded to H.264), bjn-nsq-01 H.264 with B-frames
// and G.711 sound; the rest play plain H.264 without sound.
func fakeTile(tile any, camera string) map[string]any {
	m := map[string]any{"type": "tile", "tile": tile, "camera": camera, "state": "playing"}
	switch {
	case strings.HasPrefix(camera, "qh-"):
		m["state"] = "denied"
	case camera == "bj-hall-03":
		m["state"], m["reason"] = "offline", "unauthorized"
	case camera == "bjb-hall-03":
		m["state"], m["reason"] = "offline", "needs_ffmpeg"
	case camera == "bjb-ssq-02":
		m["state"], m["reason"] = "offline", "unsupported_codec"
	case camera == "bjx-nsq-01":
		m["codec"], m["sent"], m["transcoded"], m["audio"] = "H265", "H264", true, true
	case camera == "bjn-nsq-01":
		m["codec"], m["sent"], m["transcoded"], m["audio"] = "H264", "H264", true, true
	default:
		m["codec"], m["sent"] = "H264", "H264"
	}
	return m
}

// fakeAudio is the gateway's answer to {"type":"audio","tile":N}.
func fakeAudio(tile int, camera string) map[string]any {
	m := map[string]any{"type": "audio", "tile": tile, "camera": camera, "state": "no_audio"}
	switch camera {
	case "bjx-nsq-01":
		m["state"], m["codec"], m["sent"], m["transcoded"] = "playing", "AAC", "Opus", true
	case "bjn-nsq-01":
		m["state"], m["codec"], m["sent"] = "playing", "PCMA", "PCMA"
	}
	return m
}

// fakeAnswer answers a console offer with a pion peer connection that
// sends nothing: every transceiver ends up inactive, ICE connects.
func fakeAnswer(offer string) (string, *webrtc.PeerConnection, error) {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", nil, err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		pc.Close()
		return "", nil, err
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		pc.Close()
		return "", nil, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		pc.Close()
		return "", nil, err
	}
	<-gathered
	return pc.LocalDescription().SDP, pc, nil
}

func (c *fakeConn) send(v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.WriteJSON(v)
}

// broadcast sends v to every open console.
func (f *fakeAPI) broadcast(v any) {
	f.mu.Lock()
	var all []*fakeConn
	for c := range f.conns {
		all = append(all, c)
	}
	f.mu.Unlock()
	for _, c := range all {
		c.send(v)
	}
}

// dropAll closes every console WebSocket abruptly, as a gateway restart would.
func (f *fakeAPI) dropAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.ws.NetConn().Close()
	}
}

// messages returns the console messages of a type ("" for all) received so far.
func (f *fakeAPI) messages(typ string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, m := range f.received {
		if typ == "" || m["type"] == typ {
			out = append(out, m)
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fakeCodecs gives the cameras of fakeTile their codecs, sound, delivery
// and transcoders as GET /api/stations reports them.
func fakeCodecs(cam map[string]any) {
	switch cam["id"] {
	case "bjx-nsq-01":
		cam["codec"], cam["width"], cam["height"] = "H265", 1920, 1080
		cam["audio"] = map[string]any{"codec": "AAC", "sample_rate": 16000, "channels": 1}
		cam["delivery"] = map[string]any{"video": "transcode", "video_codec": "H264", "video_h265": "passthrough", "audio": "transcode", "audio_codec": "Opus"}
		cam["transcoders"] = map[string]any{"main": map[string]any{"state": "running", "viewers": 1, "restarts": 0, "since": "2026-03-01T08:00:00Z"}}
	case "bjn-nsq-01":
		cam["bframes"] = true
		cam["audio"] = map[string]any{"codec": "PCMA", "sample_rate": 8000, "channels": 1}
		cam["delivery"] = map[string]any{"video": "transcode", "video_codec": "H264", "video_h265": "transcode", "audio": "passthrough", "audio_codec": "PCMA"}
	case "bjb-hall-03":
		cam["codec"] = "H265"
		cam["delivery"] = map[string]any{"video": "transcode", "video_codec": "H264", "video_h265": "passthrough", "audio": "none", "state": "needs_ffmpeg"}
	}
}

// fakeRecording gives every camera its recorder's state: bjb-ssq-02's
// codec cannot be recorded, bj-nsq-01's disk is full, the rest record.
func fakeRecording(cam map[string]any) {
	cam["record"] = true
	rec := map[string]any{"state": "recording", "since": "2026-03-01T08:00:00Z", "damaged_segments": 0}
	switch cam["id"] {
	case "bjb-ssq-02":
		rec["state"], rec["reason"] = "unsupported", "unsupported_codec"
	case "bj-nsq-01":
		rec["state"], rec["reason"] = "paused", "disk_full"
	}
	cam["recording"] = rec
}

func fakeStations() []map[string]any {
	type st struct{ id, name, en string }
	areas := []st{{"bjx", "北京西站", "Beijing West"}, {"bj", "北京站", "Beijing"}, {"bjn", "北京南站", "Beijing South"},
		{"bjb", "北京北站", "Beijing North"}, {"qh", "清河站", "Qinghe"}}
	var out []map[string]any
	for _, a := range areas {
		var cams []map[string]any
		var ids []string
		for i, area := range []struct{ code, name, en string }{
			{"nsq", "北广场", "North Square"}, {"ssq", "南广场", "South Square"},
			{"hall", "候车大厅", "Waiting Hall"}, {"plat", "站台", "Platform"},
		} {
			id := fmt.Sprintf("%s-%s-%02d", a.id, area.code, i+1)
			state, reason := "online", ""
			if a.id == "bj" && i == 2 {
				state, reason = "offline", "unauthorized"
			}
			if a.id == "bjb" && i == 3 {
				state = "connecting"
			}
			cam := map[string]any{"id": id, "name": fmt.Sprintf("%s %d", area.name, i+1),
				"name_en": fmt.Sprintf("%s %d", area.en, i+1), "state": state, "reason": reason,
				"codec": "H264", "width": 640, "height": 360, "fps": 25, "bitrate": 1400000,
				"bframes": false, "delivery": map[string]any{"video": "passthrough", "video_codec": "H264", "video_h265": "passthrough", "audio": "none"}}
			fakeCodecs(cam)
			fakeRecording(cam)
			cams = append(cams, cam)
			ids = append(ids, id)
		}
		out = append(out, map[string]any{"id": a.id, "name": a.name, "name_en": a.en,
			"layout": map[string]any{"grid": "2x2", "cameras": ids}, "cameras": cams})
	}
	return out
}
