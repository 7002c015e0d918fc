package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/gateway/cluster"
	"vigil/gateway/config"
	"vigil/streams/redact"
	"vigil/streams/source"
)

// Version is reported to the other nodes of a cluster (set by the build).
var Version = "dev"

// relayLinger is how long a relayed camera goes on after its last viewer
// here left, so a dispatcher flipping between layouts does not restart it.
const relayLinger = 10 * time.Second

// runCameras starts the feed: every camera is pulled here on a single
// node; in a cluster, those whose lease this node holds, and the others
// through their owner's relay while someone here watches them.
func (g *Gateway) runCameras(ctx context.Context, opts Options) error {
	local, hubs := g.ingest.streams()
	if !g.cfg.Cluster.Enabled() {
		if opts.Node != "" {
			return fmt.Errorf("-node %s: the config has no cluster section", opts.Node)
		}
		f := newFeed(local, hubs, nil, relayLinger)
		g.feed.Store(f)
		for _, c := range g.catalog.Cameras() {
			f.own(c.ID)
		}
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
	secret, err := g.cfg.Cluster.Secret()
	if err != nil {
		return err
	}
	f := newFeed(local, hubs, g.relaySource(self.Name, secret), relayLinger)
	g.feed.Store(f)
	m, err := cluster.Join(ctx, cluster.Options{
		Store: g.services.store, Node: self.Name, Version: Version, API: self.API,
		Eligible: eligibleCameras(g.cfg, self.Name),
		OnOwn: func(camera string, generation int64) {
			g.log.Info("owning camera: pulling and recording it here", "camera", camera, "generation", generation)
			f.own(camera)
			g.recording.start(camera)
		},
		OnLose: func(camera string) {
			g.log.Info("camera no longer owned here", "camera", camera)
			g.recording.stop(camera)
			f.disown(camera)
		},
		OnOwner: func(camera, node string) {
			if node != "" && node != self.Name {
				f.repoint(camera) // a relay pulling from the former owner follows at once
			}
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

// relaySource makes the source that pulls a stream path from the relay of
// whichever node owns its camera at each attempt, so a pull follows a
// failover by itself.
func (g *Gateway) relaySource(self, secret string) func(path string) *source.Source {
	return func(path string) *source.Source {
		camera := cameraOf(path)
		opts := source.Options{
			ID: path + "@relay", Hub: g.ingest.hubOf(path), Transport: "tcp", Logger: g.log,
			Secrets:    redact.Secrets{}.With(secret), // never in a log line or a status
			MinBackoff: 250 * time.Millisecond, MaxBackoff: 2 * time.Second,
			ResolveURL: func(context.Context) (string, error) {
				owner := g.member.Owner(camera)
				node, ok := g.cfg.Cluster.Node(owner)
				if owner == "" || owner == self || !ok {
					return "", errNoOwner
				}
				return relayURL(node.Relay, self, secret, path), nil
			},
		}
		if path == camera {
			opts.AudioHub = g.ingest.audioOf(camera)
		}
		src, err := source.New(opts)
		if err != nil {
			g.log.Error("relay source", "path", path, "err", err)
			return nil
		}
		return src
	}
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
	f := g.feed.Load()
	for _, c := range g.catalog.Cameras() {
		if f != nil && f.isOwned(c.ID) {
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

// relaying reports whether camera comes from another node's relay now.
func (g *Gateway) relaying(camera string) bool {
	f := g.feed.Load()
	return f != nil && f.relaying(camera)
}

// owns reports whether this node pulls camera from the camera itself.
func (g *Gateway) owns(camera string) bool {
	f := g.feed.Load()
	return f != nil && f.isOwned(camera)
}

// serveRelay starts the RTSP relay: in a cluster always, on this node's
// relay address (for the other nodes, and tools); on a single node when
// -relay asks for it (tools).
func (g *Gateway) serveRelay(opts Options) error {
	addr, secret := opts.RelayAddr, opts.ClusterSecret
	if g.member != nil {
		self, _ := g.cfg.Cluster.Node(opts.Node)
		if addr == "" {
			addr = self.Relay
		}
		s, err := g.cfg.Cluster.Secret()
		if err != nil {
			return err
		}
		secret = s
	}
	if addr == "" {
		return nil
	}
	var err error
	g.relay, err = startRelay(g, addr, secret)
	return err
}

// nodeSecret is the cluster secret in a cluster, "" on a single node.
func (g *Gateway) nodeSecret() string {
	if g.member == nil {
		return ""
	}
	secret, _ := g.cfg.Cluster.Secret() // read and checked at start
	return secret
}
