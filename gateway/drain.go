package gateway

import (
	"context"
	"time"

	"vigil/gateway/audit"
)

// DrainReason is what /readyz and the consoles' reconnect message say
// while a gateway drains.
const DrainReason = "draining"

// Drain is the first half of a graceful stop (SIGTERM): /readyz turns 503
// and no new console, WHEP viewer or export is accepted; open consoles
// are told to reconnect (a load balancer sends them to another node); in
// a cluster the camera leases go to the next node at once; running
// exports may finish until ctx ends. Close does the rest. The listener
// stays open throughout (and at least Options.DrainDelay), so load
// balancers see the 503.
func (g *Gateway) Drain(ctx context.Context, why string) {
	began := time.Now()
	deadline, _ := ctx.Deadline()
	g.log.Info("draining: refusing new sessions, telling consoles to reconnect", "why", why,
		"grace", time.Until(deadline).Round(time.Millisecond))
	g.services.audit.Record(context.Background(), audit.Entry{Action: audit.ActionShutdown,
		Detail: map[string]any{"phase": "drain", "reason": why, "grace_s": time.Until(deadline).Seconds()}})
	g.api.Drain()
	g.console.server.Drain(DrainReason)
	if g.member != nil {
		// A single node keeps its viewers fed until Close; a member stops
		// pulling (no relay of what it gives away) and hands its cameras
		// to the next node at once, without waiting for the lease to run out.
		g.feed.Load().close()
		g.member.Close()
	}
	g.clips.Drain(ctx)
	g.waitDrainDelay(ctx, began)
	g.log.Info("drained", "took", time.Since(began).Round(time.Millisecond), "grace_left", ctx.Err() == nil)
	g.services.audit.Record(context.Background(), audit.Entry{Action: audit.ActionShutdown,
		Detail: map[string]any{"phase": "stop", "reason": why, "took_s": time.Since(began).Seconds(),
			"exports_finished": ctx.Err() == nil}})
}

// waitDrainDelay waits until the drain delay since began is over, or ctx
// ends: load balancers that poll /readyz see the 503 before the listener
// goes away.
func (g *Gateway) waitDrainDelay(ctx context.Context, began time.Time) {
	left := time.Until(began.Add(g.drainDelay))
	if left <= 0 {
		return
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
