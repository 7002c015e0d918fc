package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Alarm is one alarm as stored: raised, perhaps acknowledged, perhaps
// cleared. A condition that comes back while its alarm is still open
// counts up Count instead of making another row.
type Alarm struct {
	ID      string
	Type    string
	Camera  string // "" for alarms of no camera (disk_low, node_down)
	Station string
	// Subject tells apart alarms of one type and camera: the node of a
	// node_down, the directory of a disk_low.
	Subject   string
	State     string // active, acknowledged or cleared
	RaisedAt  time.Time
	ClearedAt time.Time
	AckedBy   string
	AckedAt   time.Time
	Note      string
	Count     int
	Detail    string
}

// AlarmEvent is one step of an alarm's history.
type AlarmEvent struct {
	Alarm  string
	At     time.Time
	Event  string // raised, repeated, acknowledged, cleared
	Actor  string // who acknowledged
	Detail string
}

// StateOpen in an AlarmFilter selects alarms not cleared.
const StateOpen = "open"

// AlarmFilter selects alarms; zero fields match all. From and To bound
// raised_at.
type AlarmFilter struct {
	State, Station, Camera, Type string
	From, To                     time.Time
	Limit                        int // default and maximum 1000
}

const alarmColumns = `id, type, camera, station, subject, state, raised_at, cleared_at, acked_by, acked_at, note, count, detail`

// PutAlarm creates or replaces an alarm, assigning an ID when empty.
func (s *Store) PutAlarm(ctx context.Context, a Alarm) (Alarm, error) {
	if a.ID == "" {
		a.ID = newID()
	}
	a.RaisedAt, a.ClearedAt, a.AckedAt = roundMillis(a.RaisedAt), roundMillis(a.ClearedAt), roundMillis(a.AckedAt)
	_, err := s.db.ExecContext(ctx, `INSERT INTO alarms (`+alarmColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET state = excluded.state, cleared_at = excluded.cleared_at,
		acked_by = excluded.acked_by, acked_at = excluded.acked_at, note = excluded.note,
		count = excluded.count, detail = excluded.detail`,
		a.ID, a.Type, a.Camera, a.Station, a.Subject, a.State, toMillis(a.RaisedAt), toMillis(a.ClearedAt),
		a.AckedBy, toMillis(a.AckedAt), a.Note, a.Count, a.Detail)
	return a, wrap(err, "put alarm %q", a.ID)
}

func roundMillis(t time.Time) time.Time { return fromMillis(toMillis(t)) }

// GetAlarm returns one alarm; ErrNotFound when there is none.
func (s *Store) GetAlarm(ctx context.Context, id string) (Alarm, error) {
	a, err := scanAlarm(s.db.QueryRowContext(ctx, `SELECT `+alarmColumns+` FROM alarms WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Alarm{}, fmt.Errorf("alarm %q: %w", id, ErrNotFound)
	}
	return a, wrap(err, "get alarm %q", id)
}

// ListAlarms returns the alarms f selects, newest first.
func (s *Store) ListAlarms(ctx context.Context, f AlarmFilter) ([]Alarm, error) {
	var where []string
	var args []any
	state := f.State
	if state == StateOpen {
		where, state = append(where, "state <> 'cleared'"), ""
	}
	for col, v := range map[string]string{"state": state, "station": f.Station, "camera": f.Camera, "type": f.Type} {
		if v != "" {
			where, args = append(where, col+" = ?"), append(args, v)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "raised_at >= ?"), append(args, toMillis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "raised_at <= ?"), append(args, toMillis(f.To))
	}
	q := `SELECT ` + alarmColumns + ` FROM alarms`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q += fmt.Sprintf(" ORDER BY raised_at DESC, id DESC LIMIT %d", limit)
	return queryAll(ctx, s, "list alarms", scanAlarm, q, args...)
}

// OpenAlarms returns every alarm not cleared, oldest first: what the
// engine keeps deduplicating against after a restart.
func (s *Store) OpenAlarms(ctx context.Context) ([]Alarm, error) {
	return queryAll(ctx, s, "open alarms", scanAlarm,
		`SELECT `+alarmColumns+` FROM alarms WHERE state <> 'cleared' ORDER BY raised_at, id`)
}

func scanAlarm(r scanner) (Alarm, error) {
	var a Alarm
	var raised, cleared, acked int64
	err := r.Scan(&a.ID, &a.Type, &a.Camera, &a.Station, &a.Subject, &a.State, &raised, &cleared,
		&a.AckedBy, &acked, &a.Note, &a.Count, &a.Detail)
	a.RaisedAt, a.ClearedAt, a.AckedAt = fromMillis(raised), fromMillis(cleared), fromMillis(acked)
	return a, err
}

// AddAlarmEvent appends a step to an alarm's history.
func (s *Store) AddAlarmEvent(ctx context.Context, e AlarmEvent) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alarm_events (alarm, at, event, actor, detail) VALUES (?, ?, ?, ?, ?)`,
		e.Alarm, toMillis(e.At), e.Event, e.Actor, e.Detail)
	return wrap(err, "alarm %q event", e.Alarm)
}

// AlarmEvents returns an alarm's history, oldest first.
func (s *Store) AlarmEvents(ctx context.Context, alarm string) ([]AlarmEvent, error) {
	return queryAll(ctx, s, "alarm events", func(r scanner) (AlarmEvent, error) {
		var e AlarmEvent
		var at int64
		err := r.Scan(&e.Alarm, &at, &e.Event, &e.Actor, &e.Detail)
		e.At = fromMillis(at)
		return e, err
	}, `SELECT alarm, at, event, actor, detail FROM alarm_events WHERE alarm = ?
		ORDER BY at, CASE event WHEN 'raised' THEN 0 WHEN 'repeated' THEN 1 WHEN 'acknowledged' THEN 2 ELSE 3 END`, alarm)
}
