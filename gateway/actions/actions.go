// Package actions runs what the config's rules link to alarms (DESIGN.md
// "Alarms"): show the camera on a video wall, bookmark the recording,
// export a clip around the alarm, POST to webhooks; and sends every alarm
// change to the webhooks that take its type. The alarm engine hands each
// change to Handle, which never waits: one goroutine owned by Actions does
// the work.
package actions

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/clips"
	"vigil/gateway/config"
	"vigil/gateway/store"
)

// Event is one change of an alarm, with the fields of DESIGN.md "Alarms".
type Event struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	Camera   string    `json:"camera"`
	Station  string    `json:"station"`
	State    string    `json:"state"` // active, acknowledged, cleared
	RaisedAt time.Time `json:"raised_at"`
	Count    int       `json:"count"`
	Detail   string    `json:"detail"`
}

// StateActive is the state in which an alarm is raised; rules act once
// per alarm, on the first event of it in that state.
const StateActive = "active"

// Walls shows cameras on video walls (signal.Walls).
type Walls interface {
	Get(ctx context.Context, id string) (store.Wall, error)
	Put(ctx context.Context, id string, l store.WallLayout, by string) (store.Wall, error)
}

// Clips exports recordings (clips.Service).
type Clips interface {
	Start(ctx context.Context, req clips.Request) (store.Clip, error)
}

// Bookmark is a mark on a camera's recording at an alarm.
type Bookmark struct {
	Camera string
	At     time.Time
	Note   string
	Lock   bool // keep the marked recording from retention
	By     string
}

// Bookmarks creates bookmarks (the playback issue's bookmark service).
type Bookmarks interface {
	CreateBookmark(ctx context.Context, b Bookmark) error
}

// Webhooks queues signed POSTs (webhooks.Service).
type Webhooks interface {
	Publish(ctx context.Context, typ, event string, body []byte) error
	Send(ctx context.Context, id, event string, body []byte) error
}

// Actor is the user rule actions are done as, in walls, clips and the audit log.
const Actor = "rules"

// QueueSize bounds the events waiting for the actions goroutine; beyond
// it Handle drops (counted and logged) rather than slow the alarm engine.
const QueueSize = 1024

// Options are the actions' dependencies; a nil one turns its action off.
type Options struct {
	Rules     []config.Rule
	Walls     Walls
	Clips     Clips
	Bookmarks Bookmarks
	Webhooks  Webhooks
	Audit     audit.Recorder
	Logger    *slog.Logger
	// ClipDelay is how long after a clip's range ends its export starts,
	// so that the recorder has closed the segment holding the end
	// (default DefaultClipDelay).
	ClipDelay time.Duration
}

// DefaultClipDelay is one default segment (60 s) and a keyframe interval.
const DefaultClipDelay = 70 * time.Second

// Actions runs the rules.
type Actions struct {
	opts  Options
	log   *slog.Logger
	rules atomic.Pointer[[]config.Rule]

	events  chan Event
	dropped atomic.Int64
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	// Owned by the run goroutine.
	acted map[string]bool // alarm ids the rules acted on, until cleared
	clips []pendingClip   // exports waiting for their range's end
}

// New starts the actions goroutine.
func New(opts Options) *Actions {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ClipDelay <= 0 {
		opts.ClipDelay = DefaultClipDelay
	}
	if opts.Audit == nil {
		opts.Audit = audit.Nop{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &Actions{opts: opts, log: opts.Logger, events: make(chan Event, QueueSize), cancel: cancel, acted: map[string]bool{}}
	a.SetRules(opts.Rules)
	a.wg.Go(func() { a.run(ctx) })
	return a
}

// SetRules replaces the rules (config reload); events already queued
// meet the new ones.
func (a *Actions) SetRules(rules []config.Rule) {
	r := append([]config.Rule(nil), rules...)
	a.rules.Store(&r)
}

// Handle takes one alarm change; it never blocks.
func (a *Actions) Handle(e Event) {
	select {
	case a.events <- e:
	default:
		if n := a.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, …
			a.log.Error("alarm actions: queue full, event dropped", "alarm", e.ID, "type", e.Type, "dropped", n)
		}
	}
}

// Dropped counts events Handle could not queue.
func (a *Actions) Dropped() int64 { return a.dropped.Load() }

// Close stops the goroutine; clips not yet due are not exported.
func (a *Actions) Close() {
	a.cancel()
	a.wg.Wait()
}

func (a *Actions) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			if len(a.clips) > 0 {
				a.log.Warn("alarm actions: stopping with clip exports not yet due", "clips", len(a.clips))
			}
			return
		case e := <-a.events:
			a.handle(ctx, e)
		case <-timer.C:
		}
		timer.Reset(a.exportDue(ctx, time.Now()))
	}
}

// handle sends e to the webhooks that take its type, then runs the
// matching rules once per alarm.
func (a *Actions) handle(ctx context.Context, e Event) {
	body, err := alarmBody(e)
	if err != nil {
		a.log.Error("alarm actions: cannot encode the event", "alarm", e.ID, "err", err)
		return
	}
	if a.opts.Webhooks != nil {
		if err := a.opts.Webhooks.Publish(ctx, e.Type, eventName(e), body); err != nil {
			a.log.Error("alarm to webhooks: not queued", "alarm", e.ID, "err", err)
		}
	}
	if e.State != StateActive {
		delete(a.acted, e.ID)
		return
	}
	if a.acted[e.ID] {
		return // the same open alarm again (flapping): acted on already
	}
	a.acted[e.ID] = true
	for i, r := range *a.rules.Load() {
		if r.Matches(e.Type, e.Station, e.Camera) {
			a.runRule(ctx, i, r, e, body)
		}
	}
}

func eventName(e Event) string { return "alarm." + e.State }

// alarmBody is what webhooks receive: {"event":"alarm.<state>","alarm":{…}}.
func alarmBody(e Event) ([]byte, error) {
	return json.Marshal(struct {
		Event string `json:"event"`
		Alarm Event  `json:"alarm"`
	}{eventName(e), e})
}
