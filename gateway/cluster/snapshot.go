package cluster

import (
	"sort"
	"time"

	"vigil/gateway/store"
)

// NodeStatus is one node as GET /api/cluster shows it.
type NodeStatus struct {
	Name      string    `json:"name"`
	State     string    `json:"state"` // live, stale (no heartbeat for a lease period), stopped
	Version   string    `json:"version"`
	API       string    `json:"api"`
	StartedAt time.Time `json:"started_at"`
	Heartbeat time.Time `json:"last_heartbeat"`
	Cameras   int       `json:"cameras_owned"`
	Load      any       `json:"load"`
}

// CameraOwner is one camera's lease as GET /api/cluster shows it.
type CameraOwner struct {
	Camera     string    `json:"camera"`
	Node       string    `json:"node"` // "" while nobody owns it
	Generation int64     `json:"generation"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Snapshot is the cluster as this node last saw it.
type Snapshot struct {
	Node    string        `json:"node"` // this node
	State   State         `json:"state"`
	Nodes   []NodeStatus  `json:"nodes"`
	Cameras []CameraOwner `json:"cameras"`
}

// Snapshot returns what the member last read from the store.
func (m *Member) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	s := Snapshot{Node: m.opts.Node, State: m.state, Nodes: []NodeStatus{}, Cameras: []CameraOwner{}}
	owned := map[string]int{}
	for camera, l := range m.leases {
		owner := m.owners[camera]
		if owner != "" {
			owned[owner]++
		}
		s.Cameras = append(s.Cameras, CameraOwner{Camera: camera, Node: owner, Generation: l.Generation, ExpiresAt: l.ExpiresAt})
	}
	sort.Slice(s.Cameras, func(i, j int) bool { return s.Cameras[i].Camera < s.Cameras[j].Camera })
	for _, n := range m.nodes {
		s.Nodes = append(s.Nodes, NodeStatus{Name: n.Name, State: nodeState(n, now, m.opts.TTL), Version: n.Version,
			API: n.API, StartedAt: n.StartedAt, Heartbeat: n.Heartbeat, Cameras: owned[n.Name], Load: n.Load})
	}
	return s
}

func nodeState(n store.Node, now time.Time, ttl time.Duration) string {
	switch {
	case n.Stopped:
		return "stopped"
	case now.Sub(n.Heartbeat) >= ttl:
		return "stale"
	default:
		return "live"
	}
}

// Owner returns the node that owns camera now, as last seen ("" if none).
func (m *Member) Owner(camera string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.owners[camera]
}

// State returns the member's health.
func (m *Member) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Name returns this node's name.
func (m *Member) Name() string { return m.opts.Node }
