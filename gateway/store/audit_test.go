package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuditChain(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("empty log: %v", err)
		}
		e1, err := s.AppendAudit(ctx, AuditEntry{User: "admin", Action: "login", Detail: json.RawMessage(`{ "remote": "192.0.2.1" }`)})
		if err != nil {
			t.Fatal(err)
		}
		if e1.Seq != 1 || e1.PrevHash != genesisHash || len(e1.Hash) != 64 || string(e1.Detail) != `{"remote":"192.0.2.1"}` {
			t.Fatalf("e1 = %+v", e1)
		}
		e2, err := s.AppendAudit(ctx, AuditEntry{User: "li", Action: "view", Camera: "bjx-nsq-01",
			Time: time.Date(2025, 1, 2, 3, 4, 5, 678901234, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if e2.Seq != 2 || e2.PrevHash != e1.Hash || string(e2.Detail) != "{}" {
			t.Fatalf("e2 = %+v", e2)
		}
		if _, err := s.AppendAudit(ctx, AuditEntry{Action: "x", Detail: json.RawMessage(`{bad`)}); err == nil {
			t.Fatal("accepted invalid JSON detail")
		}

		s.Close()
		s, err = reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("after reopen: %v", err)
		}
		seq, head, err := s.AuditHead(ctx)
		if err != nil || seq != 2 || head != e2.Hash {
			t.Fatalf("head = %d %s %v", seq, head, err)
		}
		list, err := s.ListAudit(ctx, AuditQuery{Camera: "bjx-nsq-01"})
		if err != nil || len(list) != 1 || list[0].Hash != e2.Hash || !list[0].Time.Equal(e2.Time) {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if list, _ := s.ListAudit(ctx, AuditQuery{BeforeSeq: 2}); len(list) != 1 || list[0].Seq != 1 {
			t.Fatalf("paged list = %+v", list)
		}
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		s.AppendAudit(ctx, AuditEntry{User: "a", Action: "login"})
		if _, err := s.db.ExecContext(ctx, `UPDATE audit SET "user" = 'b'`); err == nil {
			t.Error("UPDATE allowed")
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM audit`); err == nil {
			t.Error("DELETE allowed")
		}
	})
}

func TestVerifyAuditDetectsTampering(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		tests := []struct {
			name, sql, want string
		}{
			{"altered field", `UPDATE audit SET "user" = 'mallory' WHERE seq = 2`, "seq 2: hash does not match"},
			{"rehashed entry", "REHASH", "seq 3: prev_hash does not match seq 2"},
			{"removed entry", `DELETE FROM audit WHERE seq = 2`, "expected seq 2, found 3"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				s, _ := db.open(t)
				for i := range 3 {
					if _, err := s.AppendAudit(ctx, AuditEntry{User: "u", Action: fmt.Sprint("a", i)}); err != nil {
						t.Fatal(err)
					}
				}
				// An attacker with file access can drop the triggers.
				if _, err := s.db.ExecContext(ctx, db.dropAuditGuards); err != nil {
					t.Fatal(err)
				}
				if tt.sql == "REHASH" {
					// Alter entry 2 and give it a hash that matches its new
					// content: only the link from entry 3 can tell.
					e, _ := s.ListAudit(ctx, AuditQuery{BeforeSeq: 3, Limit: 1})
					e[0].Action = "x"
					tt.sql = fmt.Sprintf(`UPDATE audit SET action = 'x', hash = '%s' WHERE seq = 2`, auditHash(e[0]))
				}
				if _, err := s.db.ExecContext(ctx, tt.sql); err != nil {
					t.Fatal(err)
				}
				err := s.VerifyAudit(ctx)
				if !errors.Is(err, ErrAuditBroken) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
			})
		}
	})
}

func TestAuditConcurrentAppends(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for j := range 5 {
					if _, err := s.AppendAudit(ctx, AuditEntry{User: fmt.Sprint(i), Action: fmt.Sprint(j)}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
		if seq, _, _ := s.AuditHead(ctx); seq != 40 {
			t.Fatalf("head seq = %d", seq)
		}
	})
}
