package gateway

import (
	"context"
	"slices"
)

// resumeWallTours (once the gateway is wired) starts again the tours the walls ran when the gateway
// stopped: a wall runs its tour unattended, so a restart must not freeze
// it. Only a single node resumes them (in a cluster every node would step
// the same wall); the cameras shown are those of the wall's stations, as
// the operator who started the tour is not asked again. A tour deleted
// meanwhile leaves the wall on its last step.
func resumeWallTours(ctx context.Context, g *Gateway, c *console) {
	if g.cfg.Cluster.Enabled() {
		return
	}
	for _, w := range g.cfg.Walls {
		wall, err := c.walls.Get(ctx, w.ID)
		if err != nil || wall.Layout.Tour == "" {
			continue
		}
		tour, err := g.services.store.GetTour(ctx, wall.Layout.Tour)
		if err != nil {
			g.log.Warn("wall tour not resumed", "wall", w.ID, "tour", wall.Layout.Tour, "err", err)
			continue
		}
		visible := func(id string) bool {
			cam, ok := g.catalog.Camera(id)
			return ok && (len(w.Stations) == 0 || slices.Contains(w.Stations, cam.Station))
		}
		if err := c.wallTours.Start(ctx, w.ID, wall.Layout.Grid, tour, visible, wall.UpdatedBy); err != nil {
			g.log.Warn("wall tour not resumed", "wall", w.ID, "tour", tour.ID, "err", err)
		}
	}
}
