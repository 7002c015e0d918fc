// Package cluster makes a vigil node one member of a platform of nodes
// sharing one store: it registers the node under its name, sends its
// heartbeat, and owns cameras through leases — at most one live node pulls
// and records a camera, the station's preferred live node takes cameras
// nobody holds, and a standby takes over within a lease period of the
// owner's death (at once after a graceful stop). See DESIGN.md "Cluster".
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"vigil/gateway/store"
)

// Store is what membership needs of the shared store.
type Store interface {
	RegisterNode(ctx context.Context, n store.Node, staleAfter time.Duration) error
	NodeHeartbeat(ctx context.Context, name, instance string, now time.Time, load json.RawMessage) error
	StopNode(ctx context.Context, name, instance string) error
	ListNodes(ctx context.Context) ([]store.Node, error)
	AcquireLease(ctx context.Context, camera, node string, now time.Time, ttl time.Duration) (store.Lease, error)
	RenewLeases(ctx context.Context, node string, now time.Time, ttl time.Duration) ([]store.Lease, error)
	ReleaseLeases(ctx context.Context, node string) error
	ListLeases(ctx context.Context) ([]store.Lease, error)
}

// Options configure a member. Zero durations take the defaults of
// DESIGN.md: leases renewed every 2 s, expiring after 10 s.
type Options struct {
	Store   Store
	Node    string
	Version string
	API     string
	// Eligible maps each camera this node may own to its station's nodes
	// in order of preference (config stations[].nodes).
	Eligible map[string][]string
	TTL      time.Duration // lease period, default 10 s
	Renew    time.Duration // heartbeat and renewal period, default 2 s
	Watch    time.Duration // how often the others are looked at, default 1 s
	// OnOwn is called when this node starts owning camera (start pulling
	// and recording it), OnLose when it stops (stop at once). Both run on
	// the member's goroutine and must not block.
	OnOwn  func(camera string, generation int64)
	OnLose func(camera string)
	// OnOwner is called when another node becomes a camera's owner (or
	// none is): relays re-point. May be nil.
	OnOwner func(camera, node string)
	Load    func() json.RawMessage // reported with each heartbeat; may be nil
	Logger  *slog.Logger
	Now     func() time.Time // tests; default time.Now
}

// Member is this node's membership. Close it to leave gracefully.
type Member struct {
	opts     Options
	instance string
	cancel   context.CancelFunc
	done     chan struct{}
	closing  sync.Once
	refresh  chan struct{} // look at the store now (another node said something changed)

	// Owned only by the run goroutine.
	owned          map[string]int64 // camera → generation
	nextRenew      time.Time
	connectedSince time.Time
	fenced         bool
	steps          atomic.Int64 // completed steps, for tests that wait on them

	mu     sync.Mutex
	nodes  []store.Node
	leases map[string]store.Lease
	state  State
	owners map[string]string // camera → owner as last reported to OnOwner
}

// State is the member's health for /readyz and /api/cluster.
type State struct {
	Ready  bool      `json:"ready"`
	Reason string    `json:"reason,omitempty"` // why not ready: store unreachable, fenced, …
	Since  time.Time `json:"since"`
}

// Join registers the node and starts membership. It fails with
// store.ErrNodeLive when another process runs under the same name.
func Join(ctx context.Context, opts Options) (*Member, error) {
	opts = withDefaults(opts)
	b := make([]byte, 8)
	rand.Read(b)
	m := &Member{
		opts: opts, instance: hex.EncodeToString(b), done: make(chan struct{}),
		owned: map[string]int64{}, leases: map[string]store.Lease{}, owners: map[string]string{},
		refresh: make(chan struct{}, 1),
	}
	now := opts.Now()
	if err := opts.Store.RegisterNode(ctx, m.node(now), opts.TTL); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	m.connectedSince = now
	m.state = State{Ready: true, Since: now}
	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.run(runCtx)
	return m, nil
}

func withDefaults(o Options) Options {
	if o.TTL <= 0 {
		o.TTL = 10 * time.Second
	}
	if o.Renew <= 0 {
		o.Renew = 2 * time.Second
	}
	if o.Watch <= 0 {
		o.Watch = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OnOwn == nil {
		o.OnOwn = func(string, int64) {}
	}
	if o.OnLose == nil {
		o.OnLose = func(string) {}
	}
	return o
}

func (m *Member) node(now time.Time) store.Node {
	return store.Node{Name: m.opts.Node, Instance: m.instance, Version: m.opts.Version, API: m.opts.API,
		StartedAt: now, Heartbeat: now, Load: m.load()}
}

func (m *Member) load() json.RawMessage {
	if m.opts.Load == nil {
		return nil
	}
	return m.opts.Load()
}

// Close leaves gracefully: the node's cameras are released so the next
// node takes them at once, and the node is marked stopped.
func (m *Member) Close() {
	m.closing.Do(m.leave)
}

func (m *Member) leave() {
	m.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.opts.Store.ReleaseLeases(ctx, m.opts.Node); err != nil {
		m.opts.Logger.Warn("cluster: release leases", "err", err)
	}
	if err := m.opts.Store.StopNode(ctx, m.opts.Node, m.instance); err != nil {
		m.opts.Logger.Warn("cluster: goodbye", "err", err)
	}
}

// stop ends the loop and gives up every owned camera locally, saying
// nothing to the store (as when the process dies).
func (m *Member) stop() {
	m.cancel()
	<-m.done
	for camera := range m.owned {
		m.lose(camera)
	}
}

// Refresh makes the member look at the store now rather than at its next
// watch: another node announced a change (a camera it now owns), and
// relays here should re-point without waiting. It does not block.
func (m *Member) Refresh() {
	select {
	case m.refresh <- struct{}{}:
	default:
	}
}

func (m *Member) run(ctx context.Context) {
	defer close(m.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-m.refresh:
			timer.Stop()
		}
		timer.Reset(m.step(ctx))
		m.steps.Add(1)
	}
}

// step does what is due now and returns how long to sleep.
func (m *Member) step(ctx context.Context) time.Duration {
	now := m.opts.Now()
	if !now.Before(m.nextRenew) {
		if err := m.renew(ctx, now); err != nil {
			m.degrade(now, err)
			return m.opts.Watch
		}
		m.nextRenew = now.Add(m.opts.Renew)
	}
	v, err := m.observe(ctx, now)
	if err != nil {
		m.degrade(now, err)
		return m.opts.Watch
	}
	if m.acquire(ctx, v) {
		m.publish(m.nodesSeen(), v) // show the new owner at once
	}
	wait := min(m.opts.Watch, m.nextRenew.Sub(now))
	if exp, ok := v.nextExpiry(m.opts.Eligible); ok {
		wait = min(wait, exp.Sub(now)+20*time.Millisecond)
	}
	return max(wait, 10*time.Millisecond)
}

func (m *Member) degrade(now time.Time, err error) {
	m.connectedSince = time.Time{}
	reason := "store unreachable: " + err.Error()
	if m.fenced {
		reason = "fenced: another process runs as node " + m.opts.Node
	}
	m.setState(State{Ready: false, Reason: reason, Since: now})
}

func (m *Member) setState(s State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state.Ready != s.Ready || m.state.Reason != s.Reason {
		if s.Ready {
			m.opts.Logger.Info("cluster: connected to the store", "node", m.opts.Node)
		} else {
			m.opts.Logger.Error("cluster: DEGRADED, live view and recording go on", "node", m.opts.Node, "reason", s.Reason)
		}
		m.state = s
	}
}

// renew sends the heartbeat and extends the leases held; cameras whose
// lease another node took are given up at once.
func (m *Member) renew(ctx context.Context, now time.Time) error {
	err := m.opts.Store.NodeHeartbeat(ctx, m.opts.Node, m.instance, now, m.load())
	if errors.Is(err, store.ErrFenced) {
		m.fenced = true
		for camera := range m.owned {
			m.lose(camera)
		}
		// Take the name back only once the other process is gone.
		if err := m.opts.Store.RegisterNode(ctx, m.node(now), m.opts.TTL); err != nil {
			return err
		}
		m.fenced = false
	} else if err != nil {
		return err
	}
	held, err := m.opts.Store.RenewLeases(ctx, m.opts.Node, now, m.opts.TTL)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(held))
	for _, l := range held {
		keep[l.Camera] = true
		if _, mine := m.opts.Eligible[l.Camera]; mine {
			m.own(l.Camera, l.Generation)
		}
	}
	for camera := range m.owned {
		if !keep[camera] {
			m.opts.Logger.Warn("cluster: camera taken by another node", "camera", camera)
			m.lose(camera)
		}
	}
	if m.connectedSince.IsZero() {
		m.connectedSince = now
	}
	m.setState(State{Ready: true, Since: now})
	return nil
}

func (m *Member) observe(ctx context.Context, now time.Time) (view, error) {
	nodes, err := m.opts.Store.ListNodes(ctx)
	if err != nil {
		return view{}, err
	}
	leases, err := m.opts.Store.ListLeases(ctx)
	if err != nil {
		return view{}, err
	}
	v := view{me: m.opts.Node, now: now, ttl: m.opts.TTL, nodes: map[string]store.Node{},
		leases: map[string]store.Lease{}, connectedFor: now.Sub(m.connectedSince)}
	for _, n := range nodes {
		v.nodes[n.Name] = n
	}
	for _, l := range leases {
		v.leases[l.Camera] = l
	}
	m.publish(nodes, v)
	return v, nil
}

// publish keeps the snapshot that Owner and Snapshot read, and tells
// OnOwner about owners that changed.
func (m *Member) publish(nodes []store.Node, v view) {
	m.mu.Lock()
	// A copy: the loop goes on writing the view's leases (acquire) while
	// Snapshot reads these under the lock.
	m.nodes, m.leases = nodes, maps.Clone(v.leases)
	var changed [][2]string
	for camera, l := range v.leases {
		owner := ""
		if l.ExpiresAt.After(v.now) && v.live(l.Node) {
			owner = l.Node
		}
		if m.owners[camera] != owner {
			m.owners[camera] = owner
			changed = append(changed, [2]string{camera, owner})
		}
	}
	m.mu.Unlock()
	if m.opts.OnOwner != nil {
		for _, c := range changed {
			m.opts.OnOwner(c[0], c[1])
		}
	}
}

// acquire takes what v says this node should; it reports whether it took
// anything, the leases taken written into v.
func (m *Member) acquire(ctx context.Context, v view) (took bool) {
	for _, camera := range v.toAcquire(m.opts.Eligible) {
		l, err := m.opts.Store.AcquireLease(ctx, camera, m.opts.Node, v.now, m.opts.TTL)
		if errors.Is(err, store.ErrLeaseHeld) {
			continue // another node was quicker
		}
		if err != nil {
			m.opts.Logger.Warn("cluster: acquire lease", "camera", camera, "err", err)
			continue
		}
		m.opts.Logger.Info("cluster: owning camera", "camera", camera, "generation", l.Generation)
		m.own(camera, l.Generation)
		v.leases[camera], took = l, true
	}
	return took
}

func (m *Member) nodesSeen() []store.Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nodes
}

func (m *Member) own(camera string, generation int64) {
	if g, ok := m.owned[camera]; ok && g == generation {
		return
	}
	m.owned[camera] = generation
	m.opts.OnOwn(camera, generation)
}

func (m *Member) lose(camera string) {
	delete(m.owned, camera)
	m.opts.OnLose(camera)
}
