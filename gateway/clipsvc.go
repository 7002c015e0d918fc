package gateway

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"vigil/gateway/clips"
	"vigil/gateway/signal"
	"vigil/streams/clip"
	"vigil/streams/evidence"
)

// startClips starts the clip export service over the recordings, signing
// with the gateway's evidence key (<data>/evidence.key) and reporting
// progress to the exporter's consoles.
func startClips(ctx context.Context, g *Gateway, dataDir string) (*clips.Service, error) {
	key, err := evidence.LoadOrCreateKey(dataDir)
	if err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	g.log.Info("evidence key", "fingerprint", key.Fingerprint())
	var recordings clip.Store = g.recording.index
	if g.member != nil {
		secret, err := g.cfg.Cluster.Secret()
		if err != nil {
			return nil, err
		}
		if recordings, err = newClusterRecordings(g, secret, filepath.Join(dataDir, "fetched")); err != nil {
			return nil, fmt.Errorf("clips: %w", err)
		}
	}
	return clips.New(ctx, clips.Options{
		Store: g.services.store, Recordings: recordings, Key: key,
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
	})
}
