package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestNodeRegistration(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		first := Node{Name: "bjx-1", Instance: "a", Version: "v1", API: "http://h:1", StartedAt: t0, Heartbeat: t0}
		if err := s.RegisterNode(ctx, first, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		// A second process with the same name while the first is live.
		second := first
		second.Instance, second.Heartbeat = "b", t0.Add(3*time.Second)
		if err := s.RegisterNode(ctx, second, 10*time.Second); !errors.Is(err, ErrNodeLive) {
			t.Fatalf("second live process: %v", err)
		}
		if err := s.NodeHeartbeat(ctx, "bjx-1", "a", t0.Add(4*time.Second), json.RawMessage(`{"cameras":3}`)); err != nil {
			t.Fatal(err)
		}
		// Silent for longer than staleAfter: the name may be taken, and the
		// old process learns it was fenced at its next heartbeat.
		second.Heartbeat = t0.Add(15 * time.Second)
		if err := s.RegisterNode(ctx, second, 10*time.Second); err != nil {
			t.Fatalf("after the first went silent: %v", err)
		}
		if err := s.NodeHeartbeat(ctx, "bjx-1", "a", t0.Add(16*time.Second), nil); !errors.Is(err, ErrFenced) {
			t.Fatalf("old process heartbeat: %v", err)
		}
		// A graceful stop frees the name at once.
		if err := s.StopNode(ctx, "bjx-1", "b"); err != nil {
			t.Fatal(err)
		}
		third := second
		third.Instance, third.Heartbeat = "c", t0.Add(16*time.Second)
		if err := s.RegisterNode(ctx, third, 10*time.Second); err != nil {
			t.Fatalf("after a graceful stop: %v", err)
		}
		nodes, err := s.ListNodes(ctx)
		if err != nil || len(nodes) != 1 || nodes[0].Instance != "c" || nodes[0].Stopped || !nodes[0].Heartbeat.Equal(third.Heartbeat) {
			t.Fatalf("nodes = %+v, %v", nodes, err)
		}
	})
}

func TestLeases(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		ttl := 10 * time.Second
		l, err := s.AcquireLease(ctx, "bjx-nsq-01", "bjx-1", t0, ttl)
		if err != nil || l.Generation != 1 || !l.ExpiresAt.Equal(t0.Add(ttl)) {
			t.Fatalf("first acquire = %+v, %v", l, err)
		}
		if l, err := s.AcquireLease(ctx, "bjx-nsq-01", "bjx-2", t0.Add(time.Second), ttl); !errors.Is(err, ErrLeaseHeld) || l.Node != "bjx-1" {
			t.Fatalf("standby acquire = %+v, %v", l, err)
		}
		// Renewal keeps the generation.
		if l, err := s.AcquireLease(ctx, "bjx-nsq-01", "bjx-1", t0.Add(2*time.Second), ttl); err != nil || l.Generation != 1 {
			t.Fatalf("renew by acquire = %+v, %v", l, err)
		}
		got, err := s.RenewLeases(ctx, "bjx-1", t0.Add(4*time.Second), ttl)
		if err != nil || len(got) != 1 || !got[0].ExpiresAt.Equal(t0.Add(14*time.Second)) {
			t.Fatalf("renew = %+v, %v", got, err)
		}
		// The owner dies: after expiry the standby takes over with a new
		// generation, and the old owner's renewal finds nothing.
		l, err = s.AcquireLease(ctx, "bjx-nsq-01", "bjx-2", t0.Add(15*time.Second), ttl)
		if err != nil || l.Generation != 2 || l.Node != "bjx-2" {
			t.Fatalf("takeover = %+v, %v", l, err)
		}
		if got, err := s.RenewLeases(ctx, "bjx-1", t0.Add(16*time.Second), ttl); err != nil || len(got) != 0 {
			t.Fatalf("fenced owner renewed %+v, %v", got, err)
		}
		// The new owner, cut off from the store past its expiry, still
		// holds what nobody took when it comes back.
		if got, err := s.RenewLeases(ctx, "bjx-2", t0.Add(40*time.Second), ttl); err != nil || len(got) != 1 || got[0].Generation != 2 {
			t.Fatalf("renew after an outage = %+v, %v", got, err)
		}
		if _, err := s.AcquireLease(ctx, "bjx-nsq-01", "bjx-1", t0.Add(16*time.Second), ttl); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("old owner took it back: %v", err)
		}
		// A graceful stop hands over at once, and is not renewed after.
		if err := s.ReleaseLeases(ctx, "bjx-2"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RenewLeases(ctx, "bjx-2", t0.Add(41*time.Second), ttl); err != nil || len(got) != 0 {
			t.Fatalf("released lease renewed: %+v, %v", got, err)
		}
		l, err = s.AcquireLease(ctx, "bjx-nsq-01", "bjx-1", t0.Add(41*time.Second), ttl)
		if err != nil || l.Generation != 3 {
			t.Fatalf("after release = %+v, %v", l, err)
		}
		all, err := s.ListLeases(ctx)
		if err != nil || len(all) != 1 || all[0].Node != "bjx-1" {
			t.Fatalf("list = %+v, %v", all, err)
		}
	})
}

// TestLeaseRace has many nodes grab one expired lease at once: exactly one
// may win, or two nodes would record the same camera.
func TestLeaseRace(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, dsn := db.open(t)
		t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
		if _, err := s.AcquireLease(ctx, "cam", "old", t0, time.Second); err != nil {
			t.Fatal(err)
		}
		const racers = 8
		results := make(chan error, racers)
		for i := range racers {
			node, err := reopen(dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { node.Close() })
			go func() {
				_, err := node.AcquireLease(ctx, "cam", string(rune('a'+i)), t0.Add(5*time.Second), 10*time.Second)
				results <- err
			}()
		}
		won := 0
		for range racers {
			switch err := <-results; {
			case err == nil:
				won++
			case !errors.Is(err, ErrLeaseHeld):
				t.Error(err)
			}
		}
		if won != 1 {
			t.Fatalf("%d nodes won the lease", won)
		}
	})
}
