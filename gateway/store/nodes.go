package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNodeLive is returned by RegisterNode when another process runs under
// the same node name; ErrFenced when this process has lost its name to
// another one (it was cut off long enough to be taken for dead).
var (
	ErrNodeLive = errors.New("node name is already live")
	ErrFenced   = errors.New("fenced: another process took over")
)

// Node is one vigil process of a cluster as the shared store sees it.
type Node struct {
	Name      string
	Instance  string // random per process
	Version   string
	API       string
	StartedAt time.Time
	Heartbeat time.Time
	Stopped   bool            // said goodbye (graceful stop)
	Load      json.RawMessage // {"cameras":…,"viewers":…}
}

const nodeColumns = `name, instance, version, api, started_at, heartbeat, stopped, load`

// RegisterNode claims n.Name for the process n.Instance. It is refused with
// ErrNodeLive while another instance of that name has sent a heartbeat
// within staleAfter and not stopped: two processes started with one name
// would both pull and record the same cameras.
func (s *Store) RegisterNode(ctx context.Context, n Node, staleAfter time.Duration) error {
	if n.Load == nil {
		n.Load = json.RawMessage("{}")
	}
	return s.inTx(ctx, func(t tx) error {
		old, err := scanNode(t.QueryRowContext(ctx, `SELECT `+nodeColumns+` FROM nodes WHERE name = ?`, n.Name))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("register node %s: %w", n.Name, err)
		case old.Instance != n.Instance && !old.Stopped && n.Heartbeat.Sub(old.Heartbeat) < staleAfter:
			return fmt.Errorf("node %s: %w (heartbeat %s ago, version %s)", n.Name, ErrNodeLive,
				n.Heartbeat.Sub(old.Heartbeat).Round(time.Millisecond), old.Version)
		}
		_, err = t.ExecContext(ctx, `INSERT INTO nodes (`+nodeColumns+`) VALUES (?, ?, ?, ?, ?, ?, 0, ?)
			ON CONFLICT(name) DO UPDATE SET instance = excluded.instance, version = excluded.version,
			api = excluded.api, started_at = excluded.started_at, heartbeat = excluded.heartbeat,
			stopped = 0, load = excluded.load`,
			n.Name, n.Instance, n.Version, n.API, toMillis(n.StartedAt), toMillis(n.Heartbeat), string(n.Load))
		return wrap(err, "register node %s", n.Name)
	})
}

// NodeHeartbeat records that the process instance of node name is alive at
// now; ErrFenced when the name belongs to another process by now.
func (s *Store) NodeHeartbeat(ctx context.Context, name, instance string, now time.Time, load json.RawMessage) error {
	if load == nil {
		load = json.RawMessage("{}")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE nodes SET heartbeat = ?, load = ? WHERE name = ? AND instance = ?`,
		toMillis(now), string(load), name, instance)
	if err := checkAffected(res, err, "node "+name); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("node %s: %w", name, ErrFenced)
	} else if err != nil {
		return fmt.Errorf("heartbeat of node %s: %w", name, err)
	}
	return nil
}

// StopNode marks the process's node as stopped, so a restart under the
// same name is not refused and the others see a goodbye, not a death.
func (s *Store) StopNode(ctx context.Context, name, instance string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE nodes SET stopped = 1 WHERE name = ? AND instance = ?`, name, instance)
	return wrap(err, "stop node %s", name)
}

// ListNodes returns every node that ever registered, by name.
func (s *Store) ListNodes(ctx context.Context) ([]Node, error) {
	return queryAll(ctx, s, "list nodes", scanNode, `SELECT `+nodeColumns+` FROM nodes ORDER BY name`)
}

func scanNode(r scanner) (Node, error) {
	var (
		n                  Node
		started, heartbeat int64
		stopped            int
		load               string
	)
	err := r.Scan(&n.Name, &n.Instance, &n.Version, &n.API, &started, &heartbeat, &stopped, &load)
	n.StartedAt, n.Heartbeat, n.Stopped, n.Load = fromMillis(started), fromMillis(heartbeat), stopped != 0, json.RawMessage(load)
	return n, err
}
