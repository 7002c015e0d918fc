package cluster

import (
	"reflect"
	"testing"
	"time"

	"vigil/gateway/store"
)

func TestToAcquire(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	ttl := 10 * time.Second
	live := func(name string) store.Node { return store.Node{Name: name, Heartbeat: now.Add(-time.Second)} }
	dead := func(name string) store.Node { return store.Node{Name: name, Heartbeat: now.Add(-11 * time.Second)} }
	stopped := func(name string) store.Node { n := live(name); n.Stopped = true; return n }
	lease := func(node string, expiresIn time.Duration) store.Lease {
		return store.Lease{Camera: "c", Node: node, Generation: 1, ExpiresAt: now.Add(expiresIn)}
	}
	released := store.Lease{Camera: "c", Node: "a", Generation: 1}
	pref := map[string][]string{"c": {"a", "b"}}
	tests := []struct {
		name      string
		me        string
		nodes     []store.Node
		lease     *store.Lease
		connected time.Duration
		want      []string
	}{
		{"never owned, preferred node takes it", "a", []store.Node{live("b")}, nil, 0, []string{"c"}},
		{"never owned, standby leaves it to a live preferred", "b", []store.Node{live("a")}, nil, time.Hour, nil},
		{"never owned, preferred dead: standby", "b", []store.Node{dead("a")}, nil, 0, []string{"c"}},
		{"held and live: standby waits", "b", []store.Node{live("a")}, ptr(lease("a", 5*time.Second)), time.Hour, nil},
		{"expired, holder dead: standby takes", "b", []store.Node{dead("a")}, ptr(lease("a", -time.Second)), time.Hour, []string{"c"}},
		{"expired, holder dead, standby just connected", "b", []store.Node{dead("a")}, ptr(lease("a", -time.Second)), time.Second, nil},
		{"expired but holder still heartbeats", "b", []store.Node{live("a")}, ptr(lease("a", -time.Second)), time.Hour, nil},
		{"released by a graceful stop: at once", "b", []store.Node{stopped("a")}, &released, 0, []string{"c"}},
		{"preferred back while standby holds", "a", []store.Node{live("b")}, ptr(lease("b", 5*time.Second)), time.Hour, nil},
		{"preferred back, standby died", "a", []store.Node{dead("b")}, ptr(lease("b", -time.Second)), time.Hour, []string{"c"}},
		{"own lease is kept by renewals", "a", nil, ptr(lease("a", -time.Second)), time.Hour, nil},
		{"own released lease, nobody else: take it back", "a", []store.Node{dead("b")}, &released, 0, []string{"c"}},
		{"own released lease, standby live: leave it", "a", []store.Node{live("b")}, &released, 0, nil},
		{"not eligible", "z", nil, nil, time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := view{me: tt.me, now: now, ttl: ttl, nodes: map[string]store.Node{},
				leases: map[string]store.Lease{}, connectedFor: tt.connected}
			for _, n := range tt.nodes {
				v.nodes[n.Name] = n
			}
			if tt.lease != nil {
				v.leases["c"] = *tt.lease
			}
			eligible := pref
			if tt.me == "z" {
				eligible = nil
			}
			if got := v.toAcquire(eligible); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("toAcquire = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	v := view{me: "b", now: now, leases: map[string]store.Lease{
		"c1": {Node: "a", ExpiresAt: now.Add(7 * time.Second)},
		"c2": {Node: "a", ExpiresAt: now.Add(3 * time.Second)},
		"c3": {Node: "b", ExpiresAt: now.Add(time.Second)},  // own
		"c4": {Node: "a", ExpiresAt: now.Add(-time.Second)}, // already expired
		"c5": {Node: "a", ExpiresAt: now.Add(time.Second)},  // not eligible
	}}
	eligible := map[string][]string{"c1": nil, "c2": nil, "c3": nil, "c4": nil}
	if got, ok := v.nextExpiry(eligible); !ok || !got.Equal(now.Add(3*time.Second)) {
		t.Fatalf("nextExpiry = %v %v", got, ok)
	}
}

func ptr[T any](v T) *T { return &v }
