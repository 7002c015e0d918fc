package api

import (
	"net/http"
	"slices"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/record"
	"vigil/streams/redact"
	"vigil/streams/transcode"
)

// cameraJSON is a camera as browsers see it: status and stream facts, never
// its URL or credentials.
type cameraJSON struct {
	ID      string `json:"id"`
	Station string `json:"station"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Area    string `json:"area,omitempty"`
	AreaEN  string `json:"area_en,omitempty"`
	// Search are the pinyin keys of the name and area, full and initials
	// ("zhantai1", "zt1"), so that the browser needs no pinyin table.
	Search []string `json:"search"`
	State  string   `json:"state"`
	Reason string   `json:"reason"`
	// LastError says why an offline camera is offline, in words free of
	// addresses and credentials.
	LastError string   `json:"last_error,omitempty"`
	Since     string   `json:"since"`
	Codec     string   `json:"codec"`
	Width     int      `json:"width"`
	Height    int      `json:"height"`
	FPS       float64  `json:"fps"`
	Bitrate   float64  `json:"bitrate"`
	HasSub    bool     `json:"has_sub"`
	Record    bool     `json:"record"`
	Others    []string `json:"other_tracks"`
	Viewers   int      `json:"viewers"`
	// Recording is the recorder's state; absent when the camera is not
	// recorded.
	Recording *recordingJSON `json:"recording,omitempty"`
	// BFrames is true when the camera sends pictures out of display order.
	BFrames bool `json:"bframes"`
	// Audio is the camera's sound, when it sends some.
	Audio *audioJSON `json:"audio,omitempty"`
	// Delivery is what browsers get; Transcoders the state of the
	// camera's transcoders that were started (by rendition: main, sub,
	// audio).
	Delivery    deliveryJSON               `json:"delivery"`
	Transcoders map[string]transcode.State `json:"transcoders,omitempty"`
}

type recordingJSON struct {
	State  string `json:"state"`            // idle, recording, paused, stopped
	Reason string `json:"reason,omitempty"` // why paused (disk_full, read_only, …) or idle
	Since  string `json:"since"`
	// DamagedSegments counts recordings found damaged at start (kept in
	// quarantine, intact fragments salvaged): recording_failed is raised
	// from it. LastDamage is when the newest was found.
	DamagedSegments int    `json:"damaged_segments"`
	LastDamage      string `json:"last_damage,omitempty"`
}

// RecorderStates tells a camera's recorder state; false when the camera
// is not recorded.
type RecorderStates interface {
	State(camera string) (record.RecState, bool)
}

// cameraJSON is toCameraJSON with the recorder's state.
func (s *Server) cameraJSON(c *catalog.Camera) cameraJSON {
	j := toCameraJSON(c)
	if s.opts.Recorders == nil {
		return j
	}
	if st, ok := s.opts.Recorders.State(c.ID); ok {
		j.Recording = &recordingJSON{State: st.State, Reason: st.Reason, Since: st.Since.UTC().Format(time.RFC3339),
			DamagedSegments: st.DamagedSegments}
		if !st.LastDamage.IsZero() {
			j.Recording.LastDamage = st.LastDamage.UTC().Format(time.RFC3339)
		}
		if st.State != record.StateStopped && j.Viewers > 0 {
			j.Viewers-- // the recorder reads the main hub too; it is no viewer
		}
	}
	return j
}

type stationJSON struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	NameEN  string         `json:"name_en"`
	Layout  catalog.Layout `json:"layout"`
	Cameras []cameraJSON   `json:"cameras"`
}

func toCameraJSON(c *catalog.Camera) cameraJSON {
	st := c.MainHub.Status()
	stats := c.MainHub.Stats()
	others := make([]string, 0, len(st.Track.Others))
	for _, o := range st.Track.Others {
		others = append(others, string(o))
	}
	viewers := stats.Readers
	if c.SubHub != nil {
		viewers += c.SubHub.Stats().Readers
	}
	delivery, audio, transcoders := deliveryOf(c, st.Track)
	return cameraJSON{
		BFrames: st.Track.Reordered, Audio: audio, Delivery: delivery, Transcoders: transcoders,
		ID: c.ID, Station: c.Station, Name: c.Name, NameEN: c.NameEN,
		Area: c.Area, AreaEN: c.AreaEN, Search: slices.Clip(c.Search),
		State: string(st.State), Reason: st.Reason, LastError: lastError(c, st.Message), Since: st.Since.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Codec: string(st.Track.Codec), Width: st.Track.Width, Height: st.Track.Height,
		FPS: round1(stats.FPS), Bitrate: stats.Bitrate,
		HasSub: c.SubHub != nil, Record: c.Record, Others: others, Viewers: viewers,
	}
}

// lastError is the camera's last error as browsers may see it. Sources
// word their messages without addresses or credentials already; this is the
// boundary's own check, because a message slipping one through would reach
// every console.
func lastError(c *catalog.Camera, msg string) string {
	if msg == "" {
		return ""
	}
	return redact.Collect(c.MainURL, c.SubURL).Text(msg)
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

func (s *Server) handleStations(w http.ResponseWriter, r *http.Request, u auth.User) {
	out := []stationJSON{}
	saved := s.savedStationDefaults(r.Context())
	for _, st := range s.opts.Catalog.Stations() {
		if !u.CanSeeStation(st.ID) {
			continue
		}
		sj := stationJSON{ID: st.ID, Name: st.Name, NameEN: st.NameEN, Layout: s.stationLayout(st, saved, u), Cameras: []cameraJSON{}}
		for _, c := range st.Cameras {
			sj.Cameras = append(sj.Cameras, s.cameraJSON(c))
		}
		out = append(out, sj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"stations": out})
}

func (s *Server) handleCamera(w http.ResponseWriter, r *http.Request, u auth.User) {
	c, ok := s.visibleCamera(u, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	writeJSON(w, http.StatusOK, s.cameraJSON(c))
}

// visibleCamera finds a camera the user may see. A camera outside the
// user's stations answers exactly like one that does not exist.
func (s *Server) visibleCamera(u auth.User, id string) (*catalog.Camera, bool) {
	c, ok := s.opts.Catalog.Camera(id)
	if !ok || !u.CanSeeStation(c.Station) {
		return nil, false
	}
	return c, true
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ auth.User) {
	online, total := 0, 0
	for _, c := range s.opts.Catalog.Cameras() {
		total++
		if c.MainHub.Status().State == hub.StateOnline {
			online++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "cameras": total, "online": online})
}
