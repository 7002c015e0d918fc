package gateway

import (
	"fmt"
	"reflect"
	"slices"

	"vigil/gateway/catalog"
	"vigil/gateway/config"
	"vigil/streams/hub"
)

// cameraPlan sorts a reload's cameras by what must happen to them.
type cameraPlan struct {
	added, removed []string
	// restarted pull from new URLs or settings into the same hubs;
	// reshaped gain or lose a sub stream or audio: new hubs, so their
	// viewers reconnect.
	restarted, reshaped []string
	// updated changed only in name or station: nothing restarts.
	updated []string
}

// cameraSite is a config camera and the station it is in.
type cameraSite struct {
	station string
	cam     config.Camera
}

func camerasOf(cfg *config.Config) map[string]cameraSite {
	out := map[string]cameraSite{}
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			out[c.ID] = cameraSite{st.ID, c}
		}
	}
	return out
}

func planCameras(old, cfg *config.Config) cameraPlan {
	var p cameraPlan
	was, now := camerasOf(old), camerasOf(cfg)
	for id, o := range was {
		n, ok := now[id]
		switch {
		case !ok:
			p.removed = append(p.removed, id)
		case reflect.DeepEqual(o, n):
		case shape(o.cam) != shape(n.cam):
			p.reshaped = append(p.reshaped, id)
		case streamsOf(o.cam) != streamsOf(n.cam):
			p.restarted = append(p.restarted, id)
		default:
			p.updated = append(p.updated, id)
		}
	}
	for id := range now {
		if _, ok := was[id]; !ok {
			p.added = append(p.added, id)
		}
	}
	for _, l := range []*[]string{&p.added, &p.removed, &p.restarted, &p.reshaped, &p.updated} {
		slices.Sort(*l)
	}
	return p
}

// shape is which hubs a camera has.
type hubShape struct{ sub, audio bool }

func shape(c config.Camera) hubShape {
	return hubShape{c.SubStreamURL() != "", c.AudioEnabled()}
}

// streams is what a camera's sources and recorder are made of.
type cameraStreams struct {
	main, sub, transport string
	record               bool
}

func streamsOf(c config.Camera) cameraStreams {
	return cameraStreams{c.MainURL(), c.SubStreamURL(), c.Transport, c.RecordEnabled()}
}

func (p cameraPlan) changes() []string {
	var out []string
	for _, l := range []struct {
		what string
		ids  []string
	}{{"added", p.added}, {"removed", p.removed}, {"restarted", p.restarted}, {"restarted", p.reshaped}, {"updated", p.updated}} {
		for _, id := range l.ids {
			out = append(out, fmt.Sprintf("camera %s %s", id, l.what))
		}
	}
	return out
}

// stationChanges names the stations added, removed or changed (name,
// layout, nodes, which cameras).
func stationChanges(old, cfg *config.Config) []string {
	var out []string
	was := map[string]config.Station{}
	for _, s := range old.Stations {
		was[s.ID] = s
	}
	for _, s := range cfg.Stations {
		o, ok := was[s.ID]
		delete(was, s.ID)
		switch {
		case !ok:
			out = append(out, "station "+s.ID+" added")
		case !reflect.DeepEqual(stationIDs(o), stationIDs(s)):
			out = append(out, "station "+s.ID+" updated")
		}
	}
	for id := range was {
		out = append(out, "station "+id+" removed")
	}
	slices.Sort(out)
	return out
}

// stationIDs is a station without its cameras' settings: its own fields
// and which cameras it has.
func stationIDs(s config.Station) config.Station {
	cams := make([]config.Camera, len(s.Cameras))
	for i, c := range s.Cameras {
		cams[i] = config.Camera{ID: c.ID}
	}
	s.Cameras = cams
	return s
}

// noHub is the hub maker of a camera whose hubs withHubs carries over.
func noHub(string) *hub.Hub { return nil }

// withHubs gives c the hubs of prev, the same camera before the reload.
func withHubs(c, prev *catalog.Camera) *catalog.Camera {
	c.MainHub, c.SubHub, c.AudioHub = prev.MainHub, prev.SubHub, prev.AudioHub
	return c
}

// stopCamera stops pulling and recording camera id and forgets its
// streams; its viewers see it go offline.
func (g *Gateway) stopCamera(id string) {
	g.recording.remove(id)
	f := g.feed.Load()
	for _, p := range []string{id, id + "/sub"} {
		f.removeStream(p)
		g.ingest.remove(p)
	}
}

// startCamera pulls and records camera id as the catalog has it now.
func (g *Gateway) startCamera(id string, cfg *config.Config) error {
	c, ok := g.catalog.Camera(id)
	if !ok {
		return fmt.Errorf("camera %s: not in the catalog", id)
	}
	if err := g.setStreams(c, cfg); err != nil {
		return err
	}
	g.feed.Load().own(id)
	if err := g.recording.add(c); err != nil {
		return fmt.Errorf("camera %s: recording: %w", id, err)
	}
	g.recording.start(id)
	return nil
}

// restartCamera pulls camera id from its new settings into the same hubs;
// its recorder goes on unless recording was turned on or off.
func (g *Gateway) restartCamera(id string, cfg, old *config.Config) error {
	c, ok := g.catalog.Camera(id)
	if !ok {
		return fmt.Errorf("camera %s: not in the catalog", id)
	}
	if err := g.setStreams(c, cfg); err != nil {
		return err
	}
	if camerasOf(old)[id].cam.RecordEnabled() == c.Record {
		return nil
	}
	g.recording.remove(id)
	if err := g.recording.add(c); err != nil {
		return fmt.Errorf("camera %s: recording: %w", id, err)
	}
	g.recording.start(id)
	return nil
}

// setStreams makes camera c's sources and hands them to the feed.
func (g *Gateway) setStreams(c *catalog.Camera, cfg *config.Config) error {
	for _, sp := range cameraSpecs(c, transportsOf(cfg)[c.ID]) {
		src, err := g.ingest.set(sp)
		if err != nil {
			return fmt.Errorf("camera %s: %w", c.ID, err)
		}
		g.feed.Load().setStream(sp.id, src, sp.hub)
	}
	return nil
}
