package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// ErrNoWall is returned for a wall that is not configured.
var ErrNoWall = errors.New("no such wall")

// WallStore is the part of the database walls live in.
type WallStore interface {
	EnsureWall(ctx context.Context, id, name string) error
	GetWall(ctx context.Context, id string) (store.Wall, error)
	PutWall(ctx context.Context, w store.Wall) (store.Wall, error)
}

// WallDef is a configured video wall and the stations it serves (empty for
// all).
type WallDef struct {
	ID, Name string
	Stations []string
}

// Walls are the configured video walls: what each shows is persisted, and
// every change is pushed to the consoles following the wall.
type Walls struct {
	st   WallStore
	defs atomic.Pointer[[]WallDef] // replaced whole by SetDefs (config reload)

	put  sync.Mutex // orders store writes and notifications alike
	mu   sync.Mutex // guards subs
	subs map[string]map[chan store.Wall]struct{}
	sent map[string]time.Time // the version each wall's followers last got

	// OnPut, when set before use, is told of every wall this node changed,
	// so that other nodes' followers can be told too.
	OnPut func(wallID string)
}

// NewWalls makes sure every configured wall exists in the store; what a
// wall showed before a restart is kept.
func NewWalls(ctx context.Context, st WallStore, defs []WallDef) (*Walls, error) {
	w := &Walls{st: st, subs: make(map[string]map[chan store.Wall]struct{}), sent: make(map[string]time.Time)}
	if err := w.SetDefs(ctx, defs); err != nil {
		return nil, err
	}
	return w, nil
}

// SetDefs makes defs the configured walls (config reload): new ones are
// created in the store, renamed ones renamed, and what every wall shows is
// kept. A wall left out of defs no longer exists for users; its followers
// keep what they show until they follow another.
func (w *Walls) SetDefs(ctx context.Context, defs []WallDef) error {
	for _, d := range defs {
		if err := w.st.EnsureWall(ctx, d.ID, d.Name); err != nil {
			return fmt.Errorf("walls: %w", err)
		}
	}
	defs = slices.Clone(defs)
	w.defs.Store(&defs)
	return nil
}

func (w *Walls) allDefs() []WallDef { return *w.defs.Load() }

func (w *Walls) def(id string) (WallDef, bool) {
	for _, d := range w.allDefs() {
		if d.ID == id {
			return d, true
		}
	}
	return WallDef{}, false
}

// Visible reports whether u may see and follow wall id: it is configured
// and serves at least one of u's stations (a wall of all stations serves
// everyone's). Cameras u may not see stay blank on it. A wall of other
// stations only does not exist for u.
func (w *Walls) Visible(u auth.User, id string) bool {
	d, ok := w.def(id)
	return ok && u.SharesStations(d.Stations)
}

// Controllable reports whether u may change what wall id shows: all of its
// stations are within u's scope. A user of some stations must not replace
// what a wall of others (or of all stations) shows.
func (w *Walls) Controllable(u auth.User, id string) bool {
	d, ok := w.def(id)
	return ok && u.CoversStations(d.Stations)
}

// Get returns a configured wall; ErrNoWall for others.
func (w *Walls) Get(ctx context.Context, id string) (store.Wall, error) {
	if _, ok := w.def(id); !ok {
		return store.Wall{}, ErrNoWall
	}
	return w.st.GetWall(ctx, id)
}

// List returns the configured walls in config order.
func (w *Walls) List(ctx context.Context) ([]store.Wall, error) {
	defs := w.allDefs()
	out := make([]store.Wall, 0, len(defs))
	for _, d := range defs {
		wall, err := w.st.GetWall(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, wall)
	}
	return out, nil
}

// Put stores what wall id shows and tells its followers at once.
func (w *Walls) Put(ctx context.Context, id string, l store.WallLayout, by string) (store.Wall, error) {
	d, ok := w.def(id)
	if !ok {
		return store.Wall{}, ErrNoWall
	}
	w.put.Lock()
	defer w.put.Unlock()
	wall, err := w.st.PutWall(ctx, store.Wall{ID: id, Name: d.Name, Layout: l, UpdatedBy: by})
	if err != nil {
		return store.Wall{}, err
	}
	w.publish(wall)
	if w.OnPut != nil {
		w.OnPut(id)
	}
	return wall, nil
}

// Refresh re-reads wall id from the store and tells its followers here:
// another node changed it. An unknown wall is ignored.
func (w *Walls) Refresh(ctx context.Context, id string) error {
	if _, ok := w.def(id); !ok {
		return nil
	}
	w.put.Lock()
	defer w.put.Unlock()
	wall, err := w.st.GetWall(ctx, id)
	if err != nil {
		return err
	}
	w.mu.Lock()
	seen := w.sent[id].Equal(wall.UpdatedAt)
	w.mu.Unlock()
	if !seen {
		w.publish(wall)
	}
	return nil
}

// RefreshAll re-reads every wall (after events may have been missed).
func (w *Walls) RefreshAll(ctx context.Context) error {
	for _, d := range w.allDefs() {
		if err := w.Refresh(ctx, d.ID); err != nil {
			return err
		}
	}
	return nil
}

// publish hands the wall to every follower without blocking: a follower
// that has not taken the previous version gets only the newest.
func (w *Walls) publish(wall store.Wall) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sent[wall.ID] = wall.UpdatedAt
	for ch := range w.subs[wall.ID] {
		select {
		case <-ch: // drop the stale version
		default:
		}
		ch <- wall // capacity 1, emptied above, only we send
	}
}

// Subscribe returns a channel that receives wall id whenever it changes,
// until cancel is called.
func (w *Walls) Subscribe(id string) (<-chan store.Wall, func()) {
	ch := make(chan store.Wall, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.subs[id] == nil {
		w.subs[id] = make(map[chan store.Wall]struct{})
	}
	w.subs[id][ch] = struct{}{}
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[id], ch)
		if len(w.subs[id]) == 0 {
			delete(w.subs, id)
		}
	}
}
