package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// checkpointed returns a store holding 50 entries and a checkpoint of its
// head, with the append-only guards dropped as an attacker with database
// access would.
func checkpointed(t *testing.T, db testDB) (*Store, AuditCheckpoint) {
	t.Helper()
	ctx := context.Background()
	s, _ := db.open(t)
	for i := range 50 {
		if _, err := s.AppendAudit(ctx, AuditEntry{User: "li", Action: "view.start", Camera: fmt.Sprint("cam-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	seq, hash, err := s.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp := AuditCheckpoint{Seq: seq, Hash: hash, Time: fromMillis(toMillis(time.Now())), Key: "ab", Sig: "cd"}
	if err := s.AddAuditCheckpoint(ctx, cp); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAuditCheckpoint(ctx, cp); err != nil {
		t.Fatalf("a second checkpoint of the same seq: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, db.dropAuditGuards); err != nil {
		t.Fatal(err)
	}
	return s, cp
}

func TestAuditCheckpointUntouched(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		s, cp := checkpointed(t, db)
		got, err := s.LatestAuditCheckpoint(context.Background(), "")
		if err != nil || got != cp {
			t.Fatalf("latest checkpoint %+v, %v; want %+v", got, err, cp)
		}
		if _, err := s.LatestAuditCheckpoint(context.Background(), "other"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("checkpoint of another key: %v", err)
		}
		if err := s.CheckAuditAnchor(context.Background(), cp); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAuditCheckpointCatchesTruncation deletes the last 10 rows: the chain
// alone still verifies; against the checkpoint it does not.
func TestAuditCheckpointCatchesTruncation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, cp := checkpointed(t, db)
		if _, err := s.db.ExecContext(ctx, `DELETE FROM audit WHERE seq > 40`); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("the chain alone should still verify (that is the hole): %v", err)
		}
		err := s.CheckAuditAnchor(ctx, cp)
		if !errors.Is(err, ErrAuditBroken) || !strings.Contains(err.Error(), "removed from the end") {
			t.Fatalf("truncation not caught: %v", err)
		}
	})
}

// TestAuditCheckpointCatchesRecomputation edits an early row and
// recomputes every hash after it: the chain verifies, the checkpoint's
// hash no longer matches.
func TestAuditCheckpointCatchesRecomputation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, cp := checkpointed(t, db)
		all, err := s.ListAudit(ctx, AuditQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		prev := genesisHash
		for i := len(all) - 1; i >= 0; i-- { // oldest first
			e := all[i]
			if e.Seq == 5 {
				e.User = "mallory"
			}
			e.PrevHash = prev
			e.Hash = auditHash(e)
			if _, err := s.db.ExecContext(ctx, `UPDATE audit SET "user" = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
				e.User, e.PrevHash, e.Hash, e.Seq); err != nil {
				t.Fatal(err)
			}
			prev = e.Hash
		}
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("the recomputed chain alone should verify (that is the hole): %v", err)
		}
		err = s.CheckAuditAnchor(ctx, cp)
		if !errors.Is(err, ErrAuditBroken) || !strings.Contains(err.Error(), "recomputed") {
			t.Fatalf("recomputation not caught: %v", err)
		}
	})
}

func TestAuditLosses(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		s.AppendAudit(ctx, AuditEntry{Action: "login"})
		s.AppendAudit(ctx, AuditEntry{Action: "audit.lost", Detail: []byte(`{"count":3}`)})
		got, err := s.AuditLosses(ctx)
		if err != nil || len(got) != 1 || got[0].Seq != 2 || got[0].Count != 3 {
			t.Fatalf("losses %+v, %v", got, err)
		}
	})
}
