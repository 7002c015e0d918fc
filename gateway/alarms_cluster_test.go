package gateway_test

import (
	"context"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/gateway/store/storetest"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

// nodeTTL is the cluster's lease period (cluster.Options.TTL's default):
// a node without a heartbeat for that long is stale, that is down.
const nodeTTL = 10 * time.Second

// TestAlarmNodeDown: a cluster node that registered and then stopped
// sending heartbeats without a goodbye (a crash, as the shared database
// sees it) raises node_down, reported once by the first live node, within
// its threshold (0) plus 2 s of its lease running out; its heartbeat back
// clears it.
func TestAlarmNodeDown(t *testing.T) {
	storeURL := storetest.FreshDatabase(t)
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	cfg := clusterConfig(t, storeURL, cams) + "alarms:\n  clear_after: 2s\n  diagnosis: false\n"
	first, err := startNode(t, cfg, "bjx-1")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	admin := (&testGateway{Gateway: first, t: t}).login("admin", adminPassword)

	// bjx-2 as the database knows a process that died: registered, its
	// last heartbeat 8 s ago, so its lease runs out 2 s from now.
	db, err := store.OpenURL(context.Background(), storeURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	beat := time.Now().Add(-8 * time.Second)
	crashed := store.Node{Name: "bjx-2", Instance: "crashed-instance", Version: "test", API: "http://127.0.0.1:1",
		StartedAt: beat, Heartbeat: beat}
	if err := db.RegisterNode(context.Background(), crashed, nodeTTL); err != nil {
		t.Fatal(err)
	}
	a := admin.waitAlarm("node_down raised", "type=node_down", isActive)
	within(t, a, beat.Add(nodeTTL), 0)
	if a.Detail != "no heartbeat" || a.Camera != "" || a.Count != 1 {
		t.Errorf("alarm %+v", a)
	}

	// Back: heartbeats again (a process of that name started once more).
	if err := db.NodeHeartbeat(context.Background(), "bjx-2", crashed.Instance, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	keepAlive := time.NewTicker(time.Second)
	defer keepAlive.Stop()
	testwait.For(t, "node_down cleared", func() bool {
		select {
		case now := <-keepAlive.C:
			db.NodeHeartbeat(context.Background(), "bjx-2", crashed.Instance, now, nil)
		default:
		}
		for _, x := range admin.alarms("type=node_down") {
			if x.ID == a.ID && x.State == "cleared" && x.ClearedAt != nil {
				return true
			}
		}
		return false
	})
}
