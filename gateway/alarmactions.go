package gateway

import (
	"reflect"

	"vigil/gateway/actions"
	"vigil/gateway/config"
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
		// Bookmarks: the playback issue's bookmark service, once merged.
	})
	return a
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
