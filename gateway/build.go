package gateway

import (
	"log/slog"
	"os/exec"
	"time"

	"vigil/gateway/catalog"
	"vigil/gateway/config"
	"vigil/gateway/searchkey"
	"vigil/streams/hub"
	"vigil/streams/transcode"
)

// buildCatalog turns the config's stations into the catalog, with a hub for
// every stream and transcoders made on demand. demand is told when a
// stream's hub gains its first reader or loses its last (path "cam" or
// "cam/sub"), so that a camera another node owns is relayed only while
// someone here watches it.
func buildCatalog(cfg *config.Config, log *slog.Logger, demand func(path string)) *catalog.Catalog {
	hubOf := func(path string) *hub.Hub {
		return hub.New(hub.Options{ID: path, OnDemand: func() { demand(path) }})
	}
	stations := make([]*catalog.Station, 0, len(cfg.Stations))
	for _, st := range cfg.Stations {
		cs := &catalog.Station{
			ID: st.ID, Name: st.Name, NameEN: st.NameEN,
			Layout: catalog.Layout{Grid: st.Layout.Grid, Cameras: append([]string{}, st.Layout.Cameras...)},
		}
		for _, c := range st.Cameras {
			cam := &catalog.Camera{
				ID: c.ID, Station: st.ID, Name: c.Name, NameEN: c.NameEN,
				Area: c.Area, AreaEN: c.AreaEN, Search: searchkey.For(c.Name, c.Area),
				Record:  c.RecordEnabled(),
				MainURL: c.MainURL(), SubURL: c.SubStreamURL(),
				MainHub: hubOf(c.ID),
			}
			if cam.SubURL != "" {
				cam.SubHub = hubOf(c.ID + "/sub")
			}
			if c.AudioEnabled() {
				cam.AudioHub = hub.New(hub.Options{ID: c.ID + "/audio"})
			}
			cs.Cameras = append(cs.Cameras, cam)
		}
		if cs.Layout.Grid == "" {
			cs.Layout = defaultLayout(cs.Cameras)
		}
		stations = append(stations, cs)
	}
	return catalog.New(stations, transcoders(cfg.Transcode, log))
}

// transcoders makes the cameras' ffmpeg transcoders as the config says.
func transcoders(tc config.Transcode, log *slog.Logger) *catalog.Transcoders {
	if !tc.On() {
		return nil
	}
	_, err := exec.LookPath(tc.FFmpeg)
	if err != nil {
		log.Warn("ffmpeg not found: H.265, B-frame and AAC cameras cannot be shown in browsers without H.265 until it is installed",
			"ffmpeg", tc.FFmpeg, "err", err)
	}
	return &catalog.Transcoders{Missing: err != nil, New: func(kind transcode.Kind, in *hub.Hub, id string) *transcode.Transcoder {
		return transcode.New(transcode.Options{
			Kind: kind, Input: in, ID: id, FFmpeg: tc.FFmpeg, HWAccel: tc.HWAccel,
			Linger: time.Duration(tc.Linger), Logger: log,
		})
	}}
}

// defaultLayout shows a station's first cameras in the smallest grid that
// holds up to 16 of them.
func defaultLayout(cams []*catalog.Camera) catalog.Layout {
	grids := []struct {
		name string
		n    int
	}{{"1", 1}, {"2x2", 4}, {"3x3", 9}, {"4x4", 16}}
	l := catalog.Layout{Grid: "4x4"}
	for _, g := range grids {
		if len(cams) <= g.n {
			l.Grid = g.name
			break
		}
	}
	for i, c := range cams {
		if i == 16 {
			break
		}
		l.Cameras = append(l.Cameras, c.ID)
	}
	return l
}
