package gateway

import (
	"context"
	"log/slog"
	"sync"

	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/redact"
	"vigil/streams/source"
)

// ingest runs one source per camera stream, each publishing to its hub.
// A camera's streams run while the camera is switched on: always on a
// single node, while this node owns the camera in a cluster.
type ingest struct {
	runners *cameraRunners
	sources map[string]*source.Source   // by stream id: camera id, or id + "/sub"
	byCam   map[string][]*source.Source // a camera's streams
}

// streamSpec is one stream to pull.
type streamSpec struct {
	id        string
	camera    string
	url       string
	transport string
	hub       *hub.Hub
	audioHub  *hub.Hub // main streams only
	// secrets are the credentials of both of the camera's streams: either
	// may quote the other's.
	secrets redact.Secrets
}

// newIngest makes the sources; none runs until its camera is started.
func newIngest(specs []streamSpec, log *slog.Logger) (*ingest, error) {
	in := &ingest{runners: newCameraRunners(), sources: make(map[string]*source.Source, len(specs)),
		byCam: make(map[string][]*source.Source)}
	for _, sp := range specs {
		src, err := source.New(source.Options{
			ID: sp.id, URL: sp.url, Secrets: sp.secrets, Transport: sp.transport, Hub: sp.hub, AudioHub: sp.audioHub,
			Logger: log,
		})
		if err != nil {
			return nil, err
		}
		in.sources[sp.id] = src
		in.byCam[sp.camera] = append(in.byCam[sp.camera], src)
	}
	return in, nil
}

// startAll switches every camera on (a single node).
func (in *ingest) startAll() {
	for camera := range in.byCam {
		in.start(camera)
	}
}

// start pulls camera's streams; it does not block.
func (in *ingest) start(camera string) {
	srcs := in.byCam[camera]
	if len(srcs) == 0 {
		return
	}
	in.runners.start(camera, func(ctx context.Context) {
		var wg sync.WaitGroup
		for _, src := range srcs {
			wg.Go(func() { src.Run(ctx) })
		}
		wg.Wait()
	})
}

// stop stops pulling camera; it does not block.
func (in *ingest) stop(camera string) { in.runners.stop(camera) }

// specsOf lists the streams of every camera in the catalog.
func specsOf(cat *catalog.Catalog, transport func(cameraID string) string) []streamSpec {
	var specs []streamSpec
	for _, c := range cat.Cameras() {
		secrets := redact.Collect(c.MainURL, c.SubURL)
		specs = append(specs, streamSpec{id: c.ID, camera: c.ID, url: c.MainURL, transport: transport(c.ID), hub: c.MainHub,
			audioHub: c.AudioHub, secrets: secrets})
		if c.SubHub != nil {
			specs = append(specs, streamSpec{id: c.ID + "/sub", camera: c.ID, url: c.SubURL, transport: transport(c.ID),
				hub: c.SubHub, secrets: secrets})
		}
	}
	return specs
}

// counters returns every source's counters by stream id.
func (in *ingest) counters() map[string]source.Counters {
	out := make(map[string]source.Counters, len(in.sources))
	for id, src := range in.sources {
		out[id] = src.Counters()
	}
	return out
}

// close stops every source and waits for them.
func (in *ingest) close() { in.runners.close() }
