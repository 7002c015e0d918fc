package alarms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"vigil/gateway/audit"
	"vigil/gateway/store"
)

// Store is the part of *store.Store the engine uses.
type Store interface {
	PutAlarm(ctx context.Context, a store.Alarm) (store.Alarm, error)
	GetAlarm(ctx context.Context, id string) (store.Alarm, error)
	ListAlarms(ctx context.Context, f store.AlarmFilter) ([]store.Alarm, error)
	OpenAlarms(ctx context.Context) ([]store.Alarm, error)
	AddAlarmEvent(ctx context.Context, e store.AlarmEvent) error
}

// Audit actions of alarms; detail keys: id, type, station, count, note.
const (
	ActionRaised = "alarm.raised"
	ActionAcked  = "alarm.ack"
	ActionClear  = "alarm.cleared"
)

// ErrNotFound is returned for an alarm that does not exist.
var ErrNotFound = errors.New("no such alarm")

// MaxNote bounds an acknowledgement's note, in characters.
const MaxNote = 500

// ErrNoteTooLong is returned for a note over MaxNote characters.
var ErrNoteTooLong = fmt.Errorf("alarms: note longer than %d characters", MaxNote)

// Options are the engine's dependencies.
type Options struct {
	Store  Store
	Audit  audit.Recorder // nil: not audited
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
}

// Engine keeps the alarms. One mutex serialises changes, so that a
// condition raised twice at once makes one alarm, and subscribers see
// every change in order.
type Engine struct {
	opts    Options
	log     *slog.Logger
	metrics *Metrics

	mu   sync.Mutex
	open map[key]Alarm
	subs []func(Alarm)
}

// NewEngine loads the open alarms, so dedupe carries across a restart.
func NewEngine(ctx context.Context, o Options) (*Engine, error) {
	if o.Store == nil {
		return nil, errors.New("alarms: no store")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	e := &Engine{opts: o, log: o.Logger, metrics: newMetrics(), open: map[key]Alarm{}}
	open, err := o.Store.OpenAlarms(ctx)
	if err != nil {
		return nil, fmt.Errorf("alarms: %w", err)
	}
	for _, s := range open {
		a := fromStore(s)
		e.open[a.key()] = a
	}
	e.metrics.openAlarms = e.OpenAlarms
	return e, nil
}

// Subscribe calls fn with every alarm as it changes (raised, counted up,
// acknowledged, cleared), in order, after the change is stored. fn runs
// under the engine's lock: it must not block nor call the engine (hand
// the alarm to a queue or a goroutine of your own). It is how the console
// and the linked-action rules learn of alarms.
func (e *Engine) Subscribe(fn func(Alarm)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.subs = append(e.subs, fn)
}

// Metrics returns the engine's Prometheus collector.
func (e *Engine) Metrics() *Metrics { return e.metrics }

// Raise raises an alarm for c, or counts up the open one it belongs to.
func (e *Engine) Raise(ctx context.Context, c Condition) (Alarm, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.opts.Now()
	a, repeated := e.open[c.key()]
	if repeated {
		a.Count++
		if c.Detail != "" {
			a.Detail = c.Detail
		}
	} else {
		a = Alarm{Type: c.Type, Camera: c.Camera, Station: c.Station, Subject: c.Subject,
			State: StateActive, RaisedAt: now, Count: 1, Detail: c.Detail}
	}
	stored, err := e.opts.Store.PutAlarm(ctx, a.toStore())
	if err != nil {
		return Alarm{}, fmt.Errorf("alarms: raise %s: %w", c.Type, err)
	}
	a = fromStore(stored)
	e.open[a.key()] = a
	event := "raised"
	if repeated {
		event = "repeated"
	} else {
		e.metrics.countRaised(a)
		e.record(ctx, "", ActionRaised, a, nil)
		e.log.Warn("alarm raised", "id", a.ID, "type", a.Type, "camera", a.Camera, "subject", a.Subject, "detail", a.Detail)
	}
	e.history(ctx, a, now, event, "", c.Detail)
	e.publish(a)
	return a, nil
}

// Update shows c's detail on its open alarm, without counting it up.
func (e *Engine) Update(ctx context.Context, c Condition) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.open[c.key()]
	if !ok || a.Detail == c.Detail {
		return nil
	}
	a.Detail = c.Detail
	if _, err := e.opts.Store.PutAlarm(ctx, a.toStore()); err != nil {
		return fmt.Errorf("alarms: update %s: %w", a.ID, err)
	}
	e.open[a.key()] = a
	e.publish(a)
	return nil
}

// Clear clears the open alarm of c's type, camera and subject, if any:
// the condition is gone. An acknowledged alarm is cleared too.
func (e *Engine) Clear(ctx context.Context, c Condition) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.open[c.key()]
	if !ok {
		return nil
	}
	now := e.opts.Now()
	a.State, a.ClearedAt = StateCleared, &now
	if _, err := e.opts.Store.PutAlarm(ctx, a.toStore()); err != nil {
		return fmt.Errorf("alarms: clear %s: %w", a.ID, err)
	}
	delete(e.open, a.key())
	e.record(ctx, "", ActionClear, a, nil)
	e.history(ctx, a, now, "cleared", "", c.Detail)
	e.log.Info("alarm cleared", "id", a.ID, "type", a.Type, "camera", a.Camera, "count", a.Count)
	e.publish(a)
	return nil
}

// Ack acknowledges an alarm: who, when and a note. visible says whether
// the user may see the alarm; one he may not is ErrNotFound, like one that
// does not exist. Acknowledging again replaces the note.
func (e *Engine) Ack(ctx context.Context, id, user, note string, visible func(Alarm) bool) (Alarm, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNote {
		return Alarm{}, ErrNoteTooLong
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.opts.Store.GetAlarm(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(fromStore(s))) {
		return Alarm{}, ErrNotFound
	}
	if err != nil {
		return Alarm{}, err
	}
	a := fromStore(s)
	if cur, ok := e.open[a.key()]; ok && cur.ID == a.ID {
		a = cur // the count may be ahead of the store's copy we just read
	}
	now := e.opts.Now()
	a.AckedBy, a.AckedAt, a.Note = user, &now, note
	if a.State == StateActive {
		a.State = StateAcknowledged
	}
	if _, err := e.opts.Store.PutAlarm(ctx, a.toStore()); err != nil {
		return Alarm{}, fmt.Errorf("alarms: ack %s: %w", id, err)
	}
	if a.Open() {
		e.open[a.key()] = a
	}
	e.record(ctx, user, ActionAcked, a, map[string]any{"note": note})
	e.history(ctx, a, now, "acknowledged", user, note)
	e.publish(a)
	return a, nil
}

// Get returns one alarm.
func (e *Engine) Get(ctx context.Context, id string) (Alarm, error) {
	s, err := e.opts.Store.GetAlarm(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Alarm{}, ErrNotFound
	}
	return fromStore(s), err
}

// List returns the alarms f selects, newest first.
func (e *Engine) List(ctx context.Context, f store.AlarmFilter) ([]Alarm, error) {
	rows, err := e.opts.Store.ListAlarms(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Alarm, len(rows))
	for i, r := range rows {
		out[i] = fromStore(r)
	}
	return out, nil
}

// OpenAlarms returns the alarms not cleared, as the engine holds them.
func (e *Engine) OpenAlarms() []Alarm {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Alarm, 0, len(e.open))
	for _, a := range e.open {
		out = append(out, a)
	}
	return out
}

func (e *Engine) publish(a Alarm) {
	for _, fn := range e.subs {
		fn(a)
	}
}

func (e *Engine) record(ctx context.Context, user, action string, a Alarm, extra map[string]any) {
	if e.opts.Audit == nil {
		return
	}
	d := map[string]any{"id": a.ID, "type": a.Type, "station": a.Station, "count": a.Count}
	if a.Subject != "" {
		d["subject"] = a.Subject
	}
	for k, v := range extra {
		d[k] = v
	}
	e.opts.Audit.Record(ctx, audit.Entry{User: user, Action: action, Camera: a.Camera, Detail: d})
}

// history appends to the alarm's history; a failure is logged, the
// alarm itself is stored already.
func (e *Engine) history(ctx context.Context, a Alarm, at time.Time, event, actor, detail string) {
	err := e.opts.Store.AddAlarmEvent(ctx, store.AlarmEvent{Alarm: a.ID, At: at, Event: event, Actor: actor, Detail: detail})
	if err != nil {
		e.log.Warn("alarm history", "id", a.ID, "err", err)
	}
}
