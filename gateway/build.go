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
// every stream (made by hubOf) and transcoders made on demand.
func buildCatalog(cfg *config.Config, log *slog.Logger, hubOf func(path string) *hub.Hub) *catalog.Catalog {
	return catalog.New(buildStations(cfg, func(station string, c config.Camera) *catalog.Camera {
		return newCamera(station, c, hubOf)
	}), transcoders(cfg.Transcode, log))
}

// demandHubs returns the hub maker of the catalog: demand is told when a
// stream's hub gains its first reader or loses its last (path "cam" or
// "cam/sub"), so that a camera another node owns is relayed only while
// someone here watches it.
func demandHubs(demand func(path string)) func(path string) *hub.Hub {
	return func(path string) *hub.Hub {
		return hub.New(hub.Options{ID: path, OnDemand: func() { demand(path) }})
	}
}

// buildStations makes the catalog's stations of cfg, each camera by camera.
func buildStations(cfg *config.Config, camera func(station string, c config.Camera) *catalog.Camera) []*catalog.Station {
	stations := make([]*catalog.Station, 0, len(cfg.Stations))
	for _, st := range cfg.Stations {
		cs := &catalog.Station{
			ID: st.ID, Name: st.Name, NameEN: st.NameEN,
			Layout: catalog.Layout{Grid: st.Layout.Grid, Cameras: append([]string{}, st.Layout.Cameras...)},
		}
		for _, c := range st.Cameras {
			cs.Cameras = append(cs.Cameras, camera(st.ID, c))
		}
		if cs.Layout.Grid == "" {
			cs.Layout = defaultLayout(cs.Cameras)
		}
		stations = append(stations, cs)
	}
	return stations
}

// newCamera makes a catalog camera of c with new hubs.
func newCamera(station string, c config.Camera, hubOf func(path string) *hub.Hub) *catalog.Camera {
	cam := &catalog.Camera{
		ID: c.ID, Station: station, Name: c.Name, NameEN: c.NameEN,
		Area: c.Area, AreaEN: c.AreaEN, Search: searchkey.For(c.Name, c.Area),
		Record:  c.RecordEnabled(),
		MainURL: c.MainURL(), SubURL: c.SubStreamURL(),
		MainHub: hubOf(c.ID),
	}
	if cam.SubURL != "" || c.ONVIF != nil { // an ONVIF device names its sub stream when asked
		cam.SubHub = hubOf(c.ID + "/sub")
	}
	if c.AudioEnabled() {
		cam.AudioHub = hub.New(hub.Options{ID: c.ID + "/audio"})
	}
	return cam
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
