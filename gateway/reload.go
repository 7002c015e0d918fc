package gateway

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"vigil/gateway/api"
	"vigil/gateway/audit"
	"vigil/gateway/catalog"
	"vigil/gateway/config"
)

// reloadState is what a config reload needs: the file, the config running
// now, and who else is told of a new one. mu orders reloads.
type reloadState struct {
	mu    sync.Mutex
	path  string // "" in demo mode
	cfg   *config.Config
	hooks []func(*config.Config)
}

// OnConfigReload registers fn, told of every config a reload applied
// (alarm thresholds, for one). Call it before the gateway serves.
func (g *Gateway) OnConfigReload(fn func(*config.Config)) {
	g.reload.mu.Lock()
	defer g.reload.mu.Unlock()
	g.reload.hooks = append(g.reload.hooks, fn)
}

// ConfigPath is the config file Reload reads, "" in demo mode.
func (g *Gateway) ConfigPath() string { return g.reload.path }

// Reload reads the config file again (SIGHUP, POST /api/config/reload) and
// applies it: cameras added, removed or changed start, stop or restart,
// the others go on untouched; stations, walls, rules and webhooks take
// effect. A config that does not load, or changes what only a restart
// can, is refused whole with the reason and the running one kept. by is
// who asked ("" for the signal). Every reload is audited.
func (g *Gateway) Reload(ctx context.Context, by string) ([]string, error) {
	g.reload.mu.Lock()
	defer g.reload.mu.Unlock()
	if g.reload.path == "" {
		return nil, api.ErrNoConfigFile
	}
	cfg, err := config.Load(g.reload.path)
	if err == nil {
		err = restartOnly(g.reload.cfg, cfg, g.member != nil)
	}
	if err != nil {
		g.log.Error("config reload refused: the running config is kept", "by", by, "err", err)
		g.services.audit.Record(ctx, audit.Entry{User: by, Action: audit.ActionConfigReload,
			Detail: map[string]any{"refused": err.Error()}})
		return nil, err
	}
	changed, err := g.applyConfig(ctx, cfg)
	detail := map[string]any{"changed": changed}
	if err != nil {
		detail["error"] = err.Error()
	}
	g.services.audit.Record(ctx, audit.Entry{User: by, Action: audit.ActionConfigReload, Detail: detail})
	g.log.Info("config reloaded", "by", by, "changed", changed, "err", err)
	return changed, err
}

// restartOnly refuses changes to the sections read only at start, and in
// a cluster to stations and cameras (their leases are handed out at
// join): those need a (rolling) restart.
func restartOnly(old, cfg *config.Config, cluster bool) error {
	var errs []error
	for _, s := range []struct {
		name     string
		old, new any
	}{
		{"recording", old.Recording, cfg.Recording}, {"webrtc", old.WebRTC, cfg.WebRTC},
		{"transcode", old.Transcode, cfg.Transcode}, {"cluster", old.Cluster, cfg.Cluster}, {"http", old.HTTP, cfg.HTTP},
		// The alarm detectors read their thresholds once, at start.
		{"alarms", old.Alarms, cfg.Alarms},
	} {
		if !reflect.DeepEqual(s.old, s.new) {
			errs = append(errs, fmt.Errorf("%s: changes take effect only at a restart", s.name))
		}
	}
	if cluster && !reflect.DeepEqual(old.Stations, cfg.Stations) {
		errs = append(errs, errors.New("stations: in a cluster, station and camera changes take a rolling restart"))
	}
	return errors.Join(errs...)
}

// applyConfig makes cfg the running config and returns what changed.
func (g *Gateway) applyConfig(ctx context.Context, cfg *config.Config) ([]string, error) {
	old := g.reload.cfg
	plan := planCameras(old, cfg)
	for _, id := range append(slices.Clone(plan.removed), plan.reshaped...) {
		g.stopCamera(id)
	}
	g.catalog.Replace(buildStations(cfg, func(station string, c config.Camera) *catalog.Camera {
		prev, ok := g.catalog.Camera(c.ID)
		if !ok || slices.Contains(plan.reshaped, c.ID) {
			return newCamera(station, c, g.hubOf)
		}
		return withHubs(newCamera(station, c, noHub), prev) // its viewers and recorder go on
	}))
	var errs []error
	for _, id := range append(slices.Clone(plan.added), plan.reshaped...) {
		errs = append(errs, g.startCamera(id, cfg))
	}
	for _, id := range plan.restarted {
		errs = append(errs, g.restartCamera(id, cfg, old))
	}
	changed := plan.changes()
	changed = append(changed, stationChanges(old, cfg)...)
	if !reflect.DeepEqual(old.Walls, cfg.Walls) {
		errs = append(errs, g.console.walls.SetDefs(ctx, wallDefs(cfg)))
		changed = append(changed, "walls")
	}
	changed = append(changed, g.alarmActions.apply(cfg)...)
	g.reload.cfg = cfg
	for _, fn := range g.reload.hooks {
		fn(cfg)
	}
	return changed, errors.Join(errs...)
}
