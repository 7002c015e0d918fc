package gateway

import (
	"context"
	"reflect"

	"vigil/gateway/actions"
	"vigil/gateway/alarms"
	"vigil/gateway/catalog"
	"vigil/gateway/config"
	"vigil/gateway/store"
	"vigil/gateway/webhooks"
)

// alarmActions is what reacts to alarms: the config's webhooks and
// linked-action rules.
type alarmActions struct {
	hooks   *webhooks.Service
	actions *actions.Actions
	rules   []config.Rule
}

// startAlarmActions starts delivering webhooks (and what a previous run
// left queued) and the rules. Call it once the walls and clips exist.
func startAlarmActions(g *Gateway, node string) *alarmActions {
	hooks := webhooks.New(webhooks.Options{Store: g.services.store, Node: node, Logger: g.log}, hooksOf(g.cfg))
	a := &alarmActions{hooks: hooks, rules: g.cfg.Rules}
	a.actions = actions.New(actions.Options{
		Rules: g.cfg.Rules, Walls: g.console.walls, Clips: g.clips, Webhooks: hooks,
		Audit: g.services.audit, Logger: g.log,
		Bookmarks: ruleBookmarks{store: g.services.store, catalog: g.catalog},
	})
	return a
}

// follow hands every alarm change to the rules and webhooks. Handle
// queues and returns, so the alarm engine's lock is never held for long.
func (a *alarmActions) follow(engine *alarms.Engine) {
	engine.Subscribe(func(al alarms.Alarm) {
		a.actions.Handle(actions.Event{ID: al.ID, Type: al.Type, Camera: al.Camera, Station: al.Station,
			State: al.State, RaisedAt: al.RaisedAt, Count: al.Count, Detail: al.Detail})
	})
}

// ruleBookmarks creates a rule's bookmarks in the store: a point at the
// alarm, on the camera's station, locked when the rule says so. The rule's
// run is audited with what it did (audit.ActionRuleRun).
type ruleBookmarks struct {
	store   *store.Store
	catalog *catalog.Catalog
}

func (b ruleBookmarks) CreateBookmark(ctx context.Context, m actions.Bookmark) error {
	station := ""
	if c, ok := b.catalog.Camera(m.Camera); ok {
		station = c.Station
	}
	_, err := b.store.CreateBookmark(ctx, store.Bookmark{Camera: m.Camera, Station: station, From: m.At, To: m.At,
		Title: m.Note, Locked: m.Lock, CreatedBy: m.By})
	return err
}

func hooksOf(cfg *config.Config) []webhooks.Hook {
	out := make([]webhooks.Hook, 0, len(cfg.Webhooks))
	for _, w := range cfg.Webhooks {
		out = append(out, webhooks.Hook{ID: w.ID, URL: w.URL, Secret: w.Secret, Types: w.Types})
	}
	return out
}

// apply takes a reloaded config's webhooks and rules, and names what
// changed.
func (a *alarmActions) apply(cfg *config.Config) []string {
	var changed []string
	for _, id := range a.hooks.Apply(hooksOf(cfg)) {
		changed = append(changed, "webhook "+id)
	}
	if !reflect.DeepEqual(a.rules, cfg.Rules) {
		a.rules = cfg.Rules
		a.actions.SetRules(cfg.Rules)
		changed = append(changed, "rules")
	}
	return changed
}

func (a *alarmActions) close() {
	if a == nil {
		return
	}
	a.actions.Close()
	a.hooks.Close()
}

// HandleAlarm hands an alarm change to the webhooks and rules; it never
// blocks (the alarm engine calls it).
func (g *Gateway) HandleAlarm(e actions.Event) { g.alarmActions.actions.Handle(e) }
