package gateway

import (
	"context"
	"log/slog"
	"sync"

	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/source"
)

// ingest runs one source per camera stream, each publishing to its hub.
type ingest struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	sources map[string]*source.Source // by stream id: camera id, or id + "/sub"
}

// streamSpec is one stream to pull.
type streamSpec struct {
	id        string
	url       string
	transport string
	hub       *hub.Hub
	audioHub  *hub.Hub // main streams only
}

func startIngest(specs []streamSpec, log *slog.Logger) (*ingest, error) {
	sources := make(map[string]*source.Source, len(specs))
	for _, sp := range specs {
		src, err := source.New(source.Options{
			ID: sp.id, URL: sp.url, Transport: sp.transport, Hub: sp.hub, AudioHub: sp.audioHub, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		sources[sp.id] = src
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &ingest{cancel: cancel, sources: sources}
	for _, src := range sources {
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			src.Run(ctx)
		}()
	}
	return in, nil
}

// specsOf lists the streams of every camera in the catalog.
func specsOf(cat *catalog.Catalog, transport func(cameraID string) string) []streamSpec {
	var specs []streamSpec
	for _, c := range cat.Cameras() {
		specs = append(specs, streamSpec{id: c.ID, url: c.MainURL, transport: transport(c.ID), hub: c.MainHub, audioHub: c.AudioHub})
		if c.SubHub != nil {
			specs = append(specs, streamSpec{id: c.ID + "/sub", url: c.SubURL, transport: transport(c.ID), hub: c.SubHub})
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
func (in *ingest) close() {
	in.cancel()
	in.wg.Wait()
}
