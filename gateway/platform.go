package gateway

import (
	"context"

	"vigil/gateway/signal"
)

// startPlatform starts what serves people once the cameras run: the
// cluster's events, the console, the relay, clips, alarms and what reacts
// to them.
func (g *Gateway) startPlatform(ctx context.Context, opts Options) (err error) {
	if err := g.startEvents(ctx, opts.Node); err != nil {
		return err
	}
	if g.console, err = startConsole(ctx, g.services.store, g.catalog, wallDefs(g.cfg), signal.Options{
		Catalog: g.catalog, WebRTC: g.engine, Users: g.services.auth, Audit: g.services.audit, Logger: g.log,
		Recheck: consoleRecheck, Recordings: g.recording.index, PTZ: g.ptz, Tours: g.services.store, TourUnit: tourUnit,
	}); err != nil {
		return err
	}
	if err := g.serveRelay(opts); err != nil {
		return err
	}
	clipOpts, err := g.clipOptions(opts.DataDir)
	if err != nil {
		return err
	}
	if g.clips, err = startClips(ctx, opts.DataDir, g.log, clipOpts); err != nil {
		return err
	}
	if g.alarms, err = startAlarms(ctx, g, opts.DataDir); err != nil {
		return err
	}
	g.alarmActions = startAlarmActions(g, opts.Node)
	g.alarmActions.follow(g.alarms.engine)
	g.reload.path, g.reload.cfg = opts.ConfigPath, g.cfg
	return nil
}
