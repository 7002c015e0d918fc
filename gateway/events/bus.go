// Package events carries what one node of a cluster changes to the
// others: a wall pushed, a session revoked, a camera's owner or health
// changed. In a cluster it rides on PostgreSQL LISTEN/NOTIFY (no other
// broker); on a single node nothing crosses, and the bus is local only.
// An event names what changed, not its new value: the receiver re-reads
// the store, so a missed or reordered event cannot leave it drifting, and
// after the connection was lost every subscriber is told to re-read all.
package events

import (
	"encoding/json"
	"sync"
)

// The event types.
const (
	TypeWall     = "wall"     // ID: the wall whose layout changed
	TypeSessions = "sessions" // ID: the user whose sessions or tokens were revoked
	TypeCamera   = "camera"   // ID: the camera whose owner or health changed
	TypeClip     = "clip"     // ID: the user an export's progress is for; Data: the console message
	// TypeResync is delivered locally after the bus lost its connection:
	// events may have been missed, re-read everything.
	TypeResync = "resync"
)

// Event is one change, as sent between nodes.
type Event struct {
	Type string          `json:"type"`
	ID   string          `json:"id,omitempty"`
	Node string          `json:"node"` // the sender
	Data json.RawMessage `json:"data,omitempty"`
}

// subscribers fans events out to the functions that want them.
type subscribers struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(Event)
}

func (s *subscribers) add(fn func(Event)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns == nil {
		s.fns = map[int]func(Event){}
	}
	id := s.next
	s.next++
	s.fns[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.fns, id)
	}
}

// deliver calls every subscriber outside the lock: they may publish.
func (s *subscribers) deliver(e Event) {
	s.mu.Lock()
	fns := make([]func(Event), 0, len(s.fns))
	for _, fn := range s.fns {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(e)
	}
}
