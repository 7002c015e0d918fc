package gateway

import (
	"context"
	"log/slog"
	"maps"
	"sync"

	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/redact"
	"vigil/streams/source"
)

// ingest holds one source per camera stream pulling the camera itself,
// each publishing to its hub. The feed decides when each runs: always on
// a single node, while this node owns the camera in a cluster. A config
// reload sets and removes streams (reload.go).
type ingest struct {
	log     *slog.Logger
	mu      sync.Mutex
	sources map[string]*source.Source // by stream path: camera id, or id + "/sub"
	hubs    map[string]*hub.Hub       // by stream path
	audio   map[string]*hub.Hub       // by camera: the main stream's audio hub
}

// streamSpec is one stream to pull.
type streamSpec struct {
	id        string
	camera    string
	url       string
	transport string
	hub       *hub.Hub
	audioHub  *hub.Hub // main streams only
	// resolve, when set, asks the stream's URL before each attempt (an
	// ONVIF camera's device); url is then empty.
	resolve func(context.Context) (string, error)
	// secrets are the credentials of both of the camera's streams: either
	// may quote the other's.
	secrets redact.Secrets
}

// newIngest makes the sources; none runs until the feed starts it.
func newIngest(specs []streamSpec, log *slog.Logger) (*ingest, error) {
	in := &ingest{log: log, sources: make(map[string]*source.Source, len(specs)), hubs: make(map[string]*hub.Hub, len(specs)),
		audio: make(map[string]*hub.Hub)}
	for _, sp := range specs {
		if _, err := in.set(sp); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// set makes the source of sp, replacing the stream's previous one (which
// the caller stops), and returns it.
func (in *ingest) set(sp streamSpec) (*source.Source, error) {
	src, err := source.New(source.Options{
		ID: sp.id, URL: sp.url, ResolveURL: sp.resolve, Secrets: sp.secrets, Transport: sp.transport, Hub: sp.hub, AudioHub: sp.audioHub,
		Logger: in.log,
	})
	if err != nil {
		return nil, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.sources[sp.id], in.hubs[sp.id] = src, sp.hub
	if sp.audioHub != nil {
		in.audio[sp.camera] = sp.audioHub
	} else if sp.id == sp.camera {
		delete(in.audio, sp.camera)
	}
	return src, nil
}

// remove forgets a stream (path) whose camera left the config.
func (in *ingest) remove(path string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.sources, path)
	delete(in.hubs, path)
	if cameraOf(path) == path {
		delete(in.audio, path)
	}
}

// streams returns copies of the sources and hubs by path.
func (in *ingest) streams() (map[string]*source.Source, map[string]*hub.Hub) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return maps.Clone(in.sources), maps.Clone(in.hubs)
}

// hubOf and audioOf return a stream's hub and a camera's audio hub.
func (in *ingest) hubOf(path string) *hub.Hub {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.hubs[path]
}

func (in *ingest) audioOf(camera string) *hub.Hub {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.audio[camera]
}

// specsOf lists the streams of every camera in the catalog.
func specsOf(cat *catalog.Catalog, transport func(cameraID string) string) []streamSpec {
	var specs []streamSpec
	for _, c := range cat.Cameras() {
		specs = append(specs, cameraSpecs(c, transport(c.ID))...)
	}
	return specs
}

// cameraSpecs lists a camera's streams: main, and sub when it has one.
func cameraSpecs(c *catalog.Camera, transport string) []streamSpec {
	secrets := redact.Collect(c.MainURL, c.SubURL)
	specs := []streamSpec{{id: c.ID, camera: c.ID, url: c.MainURL, transport: transport, hub: c.MainHub,
		audioHub: c.AudioHub, secrets: secrets}}
	if c.SubHub != nil {
		specs = append(specs, streamSpec{id: c.ID + "/sub", camera: c.ID, url: c.SubURL, transport: transport,
			hub: c.SubHub, secrets: secrets})
	}
	return specs
}

// resolveONVIF makes the streams of ONVIF cameras ask their device.
func resolveONVIF(specs []streamSpec, o *onvifCameras) {
	for i := range specs {
		sp := &specs[i]
		if c, ok := o.cams[sp.camera]; ok {
			sp.resolve = o.resolver(sp.camera, sp.id != sp.camera)
			sp.secrets = sp.secrets.With(c.cfg.Username, c.cfg.Password)
		}
	}
}

// counters returns every source's counters by stream id.
func (in *ingest) counters() map[string]source.Counters {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]source.Counters, len(in.sources))
	for id, src := range in.sources {
		out[id] = src.Counters()
	}
	return out
}
