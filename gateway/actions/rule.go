package actions

import (
	"context"
	"fmt"
	"slices"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/clips"
	"vigil/gateway/config"
	"vigil/gateway/store"
)

// pendingClip is an export that waits for the end of its range to be
// recorded.
type pendingClip struct {
	req clips.Request
	due time.Time
}

// runRule does rule i's actions for alarm e; each failure is logged and
// audited, and does not stop the others.
func (a *Actions) runRule(ctx context.Context, i int, r config.Rule, e Event, body []byte) {
	done := map[string]any{}
	fail := func(action string, err error) {
		a.log.Error("alarm rule: action failed", "rule", i, "action", action, "alarm", e.ID, "camera", e.Camera, "err", err)
		done[action] = "failed: " + err.Error()
	}
	if r.Wall != "" && a.opts.Walls != nil {
		if err := a.showOnWall(ctx, r.Wall, e.Camera); err != nil {
			fail("wall", err)
		} else {
			done["wall"] = r.Wall
		}
	}
	if r.Bookmark {
		a.bookmark(ctx, r, e, done, fail)
	}
	if r.Clip != nil && a.opts.Clips != nil {
		from, to := e.RaisedAt.Add(-r.Clip.Before.Std()), e.RaisedAt.Add(r.Clip.After.Std())
		a.clips = append(a.clips, pendingClip{due: to.Add(a.opts.ClipDelay), req: clips.Request{Camera: e.Camera, From: from, To: to,
			Reason: fmt.Sprintf("alarm %s %s (%s)", e.Type, e.ID, e.Detail), Exporter: Actor}})
		done["clip"] = map[string]string{"from": from.UTC().Format(time.RFC3339), "to": to.UTC().Format(time.RFC3339)}
	}
	for _, id := range r.Webhooks {
		if a.opts.Webhooks == nil {
			break
		}
		if err := a.opts.Webhooks.Send(ctx, id, eventName(e), body); err != nil {
			fail("webhook "+id, err)
		}
	}
	if len(r.Webhooks) > 0 {
		done["webhooks"] = r.Webhooks
	}
	done["rule"], done["alarm"], done["type"] = i, e.ID, e.Type
	a.opts.Audit.Record(ctx, audit.Entry{User: Actor, Action: audit.ActionRuleRun, Camera: e.Camera, Detail: done})
}

func (a *Actions) bookmark(ctx context.Context, r config.Rule, e Event, done map[string]any, fail func(string, error)) {
	if a.opts.Bookmarks == nil {
		done["bookmark"] = "skipped: no bookmark service"
		return
	}
	err := a.opts.Bookmarks.CreateBookmark(ctx, Bookmark{Camera: e.Camera, At: e.RaisedAt, Lock: r.Lock, By: Actor,
		Note: fmt.Sprintf("alarm %s: %s", e.Type, e.Detail)})
	if err != nil {
		fail("bookmark", err)
		return
	}
	done["bookmark"] = map[string]any{"at": e.RaisedAt.UTC().Format(time.RFC3339), "lock": r.Lock}
}

// showOnWall puts camera on the wall's first tile, keeping its grid and
// the other cameras after it; an empty wall shows it alone.
func (a *Actions) showOnWall(ctx context.Context, wall, camera string) error {
	w, err := a.opts.Walls.Get(ctx, wall)
	if err != nil {
		return err
	}
	l := store.WallLayout{Grid: w.Layout.Grid, Cameras: []string{camera}}
	if config.GridCapacity(l.Grid) == 0 {
		l.Grid = "1"
	}
	for _, c := range w.Layout.Cameras {
		if c != camera && len(l.Cameras) < config.GridCapacity(l.Grid) {
			l.Cameras = append(l.Cameras, c)
		}
	}
	_, err = a.opts.Walls.Put(ctx, wall, l, Actor)
	return err
}

// exportDue starts the clip exports whose range has ended by now and
// returns the wait until the next one is due.
func (a *Actions) exportDue(ctx context.Context, now time.Time) time.Duration {
	next := time.Hour
	a.clips = slices.DeleteFunc(a.clips, func(p pendingClip) bool {
		if wait := p.due.Sub(now); wait > 0 {
			next = min(next, wait)
			return false
		}
		if c, err := a.opts.Clips.Start(ctx, p.req); err != nil {
			a.log.Error("alarm rule: clip export refused", "camera", p.req.Camera, "err", err)
		} else {
			a.log.Info("alarm rule: clip export started", "camera", p.req.Camera, "clip", c.ID)
		}
		return true
	})
	return next
}
