package gateway

import (
	"context"
	"encoding/json"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/events"
	"vigil/gateway/signal"
)

// startEvents connects this node to the others: a wall pushed, a session
// revoked here reaches consoles on every node within a second, and what
// the others change arrives here. On a single node the bus is local and
// only the immediate local effects remain.
func (g *Gateway) startEvents(ctx context.Context, node string) error {
	if !g.cfg.Cluster.Enabled() {
		g.bus = events.Local(node)
		return nil
	}
	url, err := g.cfg.Cluster.StoreURL()
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	g.bus, err = events.Listen(cctx, url, node, g.log)
	return err
}

// followEvents applies the other nodes' events to this node's consoles
// and tells them of this node's changes. Call it once the console and API
// exist.
func (g *Gateway) followEvents() {
	walls := g.console.walls
	walls.OnPut = func(id string) {
		g.bus.Publish(context.Background(), events.Event{Type: events.TypeWall, ID: id})
	}
	g.bus.Subscribe(func(e events.Event) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		switch e.Type {
		case events.TypeWall:
			if err := walls.Refresh(ctx, e.ID); err != nil {
				g.log.Warn("wall changed on another node: re-read failed", "wall", e.ID, "err", err)
			}
		case events.TypeSessions:
			g.recheckSessions(ctx)
		case events.TypeCamera:
			if g.member != nil {
				g.member.Refresh() // its owner may have changed: relays re-point now
			}
			if g.shared != nil {
				g.shared.apply(ctx, e.ID)
			}
		case events.TypeClip:
			var m signal.ClipMsg
			if json.Unmarshal(e.Data, &m) == nil && m.ID != "" {
				g.console.server.SendToUser(e.ID, m)
			}
		case events.TypeResync:
			if g.shared != nil {
				g.shared.applyAll(ctx)
			}
			if err := walls.RefreshAll(ctx); err != nil {
				g.log.Warn("resync walls", "err", err)
			}
			g.recheckSessions(ctx)
		}
	})
}

// recheckSessions has every console and WHEP viewer here re-validate its
// session now.
func (g *Gateway) recheckSessions(ctx context.Context) {
	g.console.server.RecheckSessions()
	if g.api != nil {
		g.api.RecheckSessions(ctx)
	}
}

// revocations is the account administration the API uses, telling every
// node (this one too) at once when sessions or tokens may have ended, so
// that consoles and viewers of a revoked user stop within a second rather
// than at their next periodic re-check.
type revocations struct {
	*auth.Service
	revoked func(user string)
}

func (r revocations) UpdateAccount(ctx context.Context, actor, name string, ch auth.AccountChange) (auth.Account, error) {
	a, err := r.Service.UpdateAccount(ctx, actor, name, ch)
	if err == nil {
		r.revoked(name)
	}
	return a, err
}

func (r revocations) DeleteAccount(ctx context.Context, actor, name string) error {
	err := r.Service.DeleteAccount(ctx, actor, name)
	if err == nil {
		r.revoked(name)
	}
	return err
}

func (r revocations) RevokeSessions(ctx context.Context, name string) (int64, error) {
	n, err := r.Service.RevokeSessions(ctx, name)
	if err == nil {
		r.revoked(name)
	}
	return n, err
}

func (r revocations) ChangePassword(ctx context.Context, token, oldPassword, newPassword string) error {
	err := r.Service.ChangePassword(ctx, token, oldPassword, newPassword)
	if err == nil {
		r.revoked("")
	}
	return err
}

func (r revocations) RevokeAPIToken(ctx context.Context, id string) error {
	err := r.Service.RevokeAPIToken(ctx, id)
	if err == nil {
		r.revoked("")
	}
	return err
}

// onRevoked publishes a revocation and applies it here.
func (g *Gateway) onRevoked(user string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g.bus.Publish(ctx, events.Event{Type: events.TypeSessions, ID: user})
	g.recheckSessions(ctx)
}

// publishClip tells the exporter's consoles on other nodes how an export
// goes: the console they use may be on any node.
func (g *Gateway) publishClip(user string, m signal.ClipMsg) {
	if g.member == nil {
		return
	}
	data, err := json.Marshal(m)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g.bus.Publish(ctx, events.Event{Type: events.TypeClip, ID: user, Data: data})
}
