package gateway

import (
	"context"

	"vigil/gateway/catalog"
	"vigil/gateway/config"
	"vigil/gateway/signal"
	"vigil/gateway/store"
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

// startConsole starts the console's server side for walls (kept in st),
// the cameras of cat and the rest of opts; Health and Walls it makes
// itself.
func startConsole(ctx context.Context, st *store.Store, cat *catalog.Catalog, walls []signal.WallDef, opts signal.Options) (*console, error) {
	w, err := signal.NewWalls(ctx, st, walls)
	if err != nil {
		return nil, err
	}
	health := signal.NewHealth(cat, 0)
	opts.Health, opts.Walls = health, w
	server := signal.New(opts)
	wallTours := signal.NewWallTours(w, opts.TourUnit, opts.Logger)
	return &console{health: health, walls: w, server: server, wallTours: wallTours}, nil
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
