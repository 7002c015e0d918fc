package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"vigil/gateway/clips"
	"vigil/gateway/signal"
	"vigil/streams/clip"
	"vigil/streams/evidence"
)

// startClips starts the clip export service of o, signing with the
// evidence key of dataDir (<data>/evidence.key).
func startClips(ctx context.Context, dataDir string, log *slog.Logger, o clips.Options) (*clips.Service, error) {
	key, err := evidence.LoadOrCreateKey(dataDir)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	log.Info("evidence key", "fingerprint", key.Fingerprint())
	o.Key = key
	return clips.New(ctx, o)
}

// clipOptions wires the clip service to this gateway: the recordings (in
// a cluster, every node's), the catalog, and the exporter's consoles on
// every node for progress.
func (g *Gateway) clipOptions(dataDir string) (clips.Options, error) {
	var recordings clip.Store = g.recording.index
	if g.member != nil {
		secret, err := g.cfg.Cluster.Secret()
		if err != nil {
			return clips.Options{}, err
		}
		if recordings, err = newClusterRecordings(g, secret, filepath.Join(dataDir, "fetched")); err != nil {
			return clips.Options{}, fmt.Errorf("clips: %w", err)
		}
	}
	return clips.Options{
		Store: g.services.store, Recordings: recordings,
		Dir:         filepath.Join(dataDir, "clips"),
		MaxDuration: time.Duration(g.cfg.Recording.MaxClip),
		WhyNotRecorded: func(camera string) string {
			c, ok := g.catalog.Camera(camera)
			return g.recording.whyNotRecorded(camera, ok && c.Record)
		},
		Audit:  g.services.audit,
		Logger: g.log,
		StationOf: func(camera string) string {
			if c, ok := g.catalog.Camera(camera); ok {
				return c.Station
			}
			return ""
		},
		Notify: func(user string, u clips.Update) {
			m := signal.ClipMsg{ID: u.ID, Camera: u.Camera, Status: u.Status,
				Progress: u.Progress, Size: u.Size, Error: u.Error}
			g.console.server.SendToUser(user, m)
			g.publishClip(user, m) // the exporter's consoles on other nodes
		},
	}, nil
}
