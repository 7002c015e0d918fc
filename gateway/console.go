package gateway

import (
	"context"

	"vigil/gateway/config"
	"vigil/gateway/signal"
)

// consoleRecheck is how often an open console's session is re-validated;
// tests shorten it.
var consoleRecheck = signal.DefaultRecheck

// tourUnit is one second of a tour's dwell; tests shorten it.
var tourUnit = signal.DefaultTourUnit

// console is the dispatch console's server side: camera health, video
// walls and the console WebSockets.
type console struct {
	health *signal.Health
	walls  *signal.Walls
	server *signal.Server
	// wallTours run tours on walls with no console open.
	wallTours *signal.WallTours
}

func startConsole(ctx context.Context, g *Gateway) (*console, error) {
	walls, err := signal.NewWalls(ctx, g.services.store, wallDefs(g.cfg))
	if err != nil {
		return nil, err
	}
	health := signal.NewHealth(g.catalog, 0)
	server := signal.New(signal.Options{
		Catalog: g.catalog, WebRTC: g.engine, Users: g.services.auth,
		Health: health, Walls: walls, Audit: g.services.audit,
		Logger: g.log, Recheck: consoleRecheck, Recordings: g.recording.index, PTZ: g.ptz, Tours: g.services.store, TourUnit: tourUnit,
	})
	wallTours := signal.NewWallTours(walls, tourUnit, g.log)
	return &console{health: health, walls: walls, server: server, wallTours: wallTours}, nil
}

// wallDefs are the config's video walls.
func wallDefs(cfg *config.Config) []signal.WallDef {
	defs := make([]signal.WallDef, 0, len(cfg.Walls))
	for _, w := range cfg.Walls {
		defs = append(defs, signal.WallDef{ID: w.ID, Name: w.Name, Stations: w.Stations})
	}
	return defs
}

// close ends every console connection (and so their peer connections)
// before the health poller.
func (c *console) close() {
	c.wallTours.Close()
	c.server.Close()
	c.health.Close()
}
