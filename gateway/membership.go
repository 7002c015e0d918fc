package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/gateway/cluster"
	"vigil/gateway/config"
)

// Version is reported to the other nodes of a cluster (set by the build).
var Version = "dev"

// runCameras switches cameras on: all of them on a single node; in a
// cluster, those whose lease this node holds, as ownership moves.
func (g *Gateway) runCameras(ctx context.Context, opts Options) error {
	if !g.cfg.Cluster.Enabled() {
		if opts.Node != "" {
			return fmt.Errorf("-node %s: the config has no cluster section", opts.Node)
		}
		g.ingest.startAll()
		g.recording.startAll()
		return nil
	}
	self, ok := g.cfg.Cluster.Node(opts.Node)
	if !ok {
		if opts.Node == "" {
			return fmt.Errorf("the config has a cluster section: start each node with -node NAME (or VIGIL_NODE)")
		}
		return fmt.Errorf("-node %s: no such node in cluster.nodes", opts.Node)
	}
	m, err := cluster.Join(ctx, cluster.Options{
		Store: g.services.store, Node: self.Name, Version: Version, API: self.API,
		Eligible: eligibleCameras(g.cfg, self.Name),
		OnOwn: func(camera string, generation int64) {
			g.log.Info("owning camera: pulling and recording it here", "camera", camera, "generation", generation)
			g.ingest.start(camera)
			g.recording.start(camera)
		},
		OnLose: func(camera string) {
			g.log.Info("camera no longer owned here", "camera", camera)
			g.recording.stop(camera)
			g.ingest.stop(camera)
		},
		Load:   g.load,
		Logger: g.log,
	})
	if err != nil {
		return err
	}
	g.member = m
	return nil
}

// eligibleCameras maps every camera of the stations that list node to
// that station's nodes in order of preference.
func eligibleCameras(cfg *config.Config, node string) map[string][]string {
	out := map[string][]string{}
	for _, st := range cfg.Stations {
		for _, n := range st.Nodes {
			if n != node {
				continue
			}
			for _, c := range st.Cameras {
				out[c.ID] = st.Nodes
			}
		}
	}
	return out
}

// load is what the node reports with its heartbeat.
func (g *Gateway) load() json.RawMessage {
	owned := 0
	for _, c := range g.catalog.Cameras() {
		if g.ingest.runners.running(c.ID) {
			owned++
		}
	}
	b, _ := json.Marshal(map[string]int{"cameras": owned})
	return b
}

// ready says why this node cannot serve, or nil: its database answers and,
// in a cluster, it is a member in good standing.
func (g *Gateway) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := g.services.store.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable")
	}
	if g.member != nil {
		if st := g.member.State(); !st.Ready {
			return errors.New(st.Reason)
		}
	}
	return nil
}
