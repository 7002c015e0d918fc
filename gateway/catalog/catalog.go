// Package catalog is the gateway's directory of stations and cameras, each
// camera with the hubs its streams are published to. It is built from the
// config and read by the API, signaling and recording; a config reload
// replaces its stations (Replace).
package catalog

import (
	"sort"
	"sync"

	"vigil/streams/hub"
)

// Quality picks a camera's main or sub stream.
type Quality string

// The two streams most cameras offer.
const (
	Main Quality = "main"
	Sub  Quality = "sub"
)

// Layout is a grid and the cameras on its tiles, in tile order.
type Layout struct {
	Grid    string   `json:"grid"`
	Cameras []string `json:"cameras"`
}

// Camera is one camera of a station. URLs stay inside the gateway.
type Camera struct {
	ID      string
	Station string
	Name    string
	NameEN  string
	Record  bool
	// Area is where in the station the camera looks ("" for none);
	// Search the pinyin keys of its name and area (searchkey).
	Area, AreaEN string
	Search       []string

	MainURL string
	SubURL  string

	MainHub  *hub.Hub
	SubHub   *hub.Hub // nil when the camera has no sub stream
	AudioHub *hub.Hub // the main stream's audio; nil when not pulled

	// transcoders is shared by the whole catalog; nil turns transcoding
	// off (tests that build catalogs by hand).
	transcoders *Transcoders
}

// Hub returns the hub of the asked quality, falling back to the main
// stream when there is no sub stream.
func (c *Camera) Hub(q Quality) *hub.Hub {
	if q == Sub && c.SubHub != nil {
		return c.SubHub
	}
	return c.MainHub
}

// Station is one station area.
type Station struct {
	ID      string
	Name    string
	NameEN  string
	Layout  Layout
	Cameras []*Camera
}

// Catalog holds every station and camera. Stations and cameras are never
// changed once in it: Replace swaps in new ones whole, so what a caller
// got from it stays consistent.
type Catalog struct {
	transcoders *Transcoders

	mu       sync.RWMutex
	stations []*Station
	cameras  map[string]*Camera
}

// New indexes stations. Camera ids must be unique (config validation
// guarantees it). tr makes the cameras' transcoders; nil means none.
func New(stations []*Station, tr *Transcoders) *Catalog {
	c := &Catalog{transcoders: tr}
	c.Replace(stations)
	return c
}

// Replace makes stations the catalog's (config reload). A camera kept
// across a reload carries its hubs over, so its viewers and recorder go on.
func (c *Catalog) Replace(stations []*Station) {
	cameras := make(map[string]*Camera)
	for _, st := range stations {
		for _, cam := range st.Cameras {
			cam.transcoders = c.transcoders
			cameras[cam.ID] = cam
		}
	}
	c.mu.Lock()
	c.stations, c.cameras = stations, cameras
	c.mu.Unlock()
}

// Close stops the transcoders the cameras made.
func (c *Catalog) Close() { c.transcoders.Close() }

// Stations returns the stations in config order.
func (c *Catalog) Stations() []*Station {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stations
}

// Station returns the station with id.
func (c *Catalog) Station(id string) (*Station, bool) {
	for _, st := range c.Stations() {
		if st.ID == id {
			return st, true
		}
	}
	return nil, false
}

// Camera returns the camera with id.
func (c *Catalog) Camera(id string) (*Camera, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	cam, ok := c.cameras[id]
	return cam, ok
}

// Cameras returns every camera, sorted by id.
func (c *Catalog) Cameras() []*Camera {
	c.mu.RLock()
	out := make([]*Camera, 0, len(c.cameras))
	for _, cam := range c.cameras {
		out = append(out, cam)
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Hubs returns every hub of every camera, main and sub.
func (c *Catalog) Hubs() []*hub.Hub {
	var out []*hub.Hub
	for _, cam := range c.Cameras() {
		out = append(out, cam.MainHub)
		if cam.SubHub != nil {
			out = append(out, cam.SubHub)
		}
	}
	return out
}
