// Package alarms raises, deduplicates, acknowledges and clears the
// gateway's alarms (DESIGN.md "Alarms"): a camera offline, without
// frames, frozen, black, with its bitrate dropped, a recorder that
// cannot write, a full disk, a failed transcoder, a cluster node down.
//
// The Engine keeps the alarms (in the store, with their history, audited
// and counted in metrics) and tells subscribers of every change; the
// Detector watches what the gateway knows and feeds the Engine through a
// Tracker that applies each type's threshold; the Diagnosis looks at
// keyframes for frozen and black pictures.
package alarms

import (
	"time"

	"vigil/gateway/store"
)

// States of an alarm.
const (
	StateActive       = "active"
	StateAcknowledged = "acknowledged"
	StateCleared      = "cleared"
)

// Alarm is one alarm as the API and the console WebSocket show it.
type Alarm struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Camera    string     `json:"camera"`
	Station   string     `json:"station"`
	Subject   string     `json:"subject,omitempty"` // the node of node_down, the directory of disk_low
	State     string     `json:"state"`
	RaisedAt  time.Time  `json:"raised_at"`
	ClearedAt *time.Time `json:"cleared_at"`
	AckedBy   string     `json:"acked_by"`
	AckedAt   *time.Time `json:"acked_at"`
	Note      string     `json:"note"`
	Count     int        `json:"count"`
	Detail    string     `json:"detail"`
}

// Condition is something wrong a detector saw: what an alarm is raised
// for. Type, Camera and Subject say which alarm it is; the same three
// raised again while that alarm is open count it up.
type Condition struct {
	Type    string
	Camera  string
	Station string
	Subject string
	Detail  string // shown to every user who may see the camera: no addresses
}

// key identifies the open alarm a condition belongs to.
type key struct{ typ, camera, subject string }

func (c Condition) key() key { return key{c.Type, c.Camera, c.Subject} }

func (a Alarm) key() key { return key{a.Type, a.Camera, a.Subject} }

// Open reports whether the alarm is not cleared.
func (a Alarm) Open() bool { return a.State != StateCleared }

func fromStore(s store.Alarm) Alarm {
	return Alarm{ID: s.ID, Type: s.Type, Camera: s.Camera, Station: s.Station, Subject: s.Subject,
		State: s.State, RaisedAt: s.RaisedAt, ClearedAt: timePtr(s.ClearedAt), AckedBy: s.AckedBy,
		AckedAt: timePtr(s.AckedAt), Note: s.Note, Count: s.Count, Detail: s.Detail}
}

func (a Alarm) toStore() store.Alarm {
	return store.Alarm{ID: a.ID, Type: a.Type, Camera: a.Camera, Station: a.Station, Subject: a.Subject,
		State: a.State, RaisedAt: a.RaisedAt, ClearedAt: timeOf(a.ClearedAt), AckedBy: a.AckedBy,
		AckedAt: timeOf(a.AckedAt), Note: a.Note, Count: a.Count, Detail: a.Detail}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}
