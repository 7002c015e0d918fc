package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAPITokens(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		for _, name := range []string{"li", "wang"} {
			if err := s.CreateUser(ctx, User{Username: name, PasswordHash: "x", Role: "viewer"}); err != nil {
				t.Fatal(err)
			}
		}
		t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		a, err := s.CreateAPIToken(ctx, APIToken{Username: "li", Name: "exporter", Hash: "h1", CreatedAt: t0})
		if err != nil || a.ID == "" {
			t.Fatalf("create: %+v %v", a, err)
		}
		if _, err := s.CreateAPIToken(ctx, APIToken{Username: "wang", Name: "dup", Hash: "h1"}); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate hash: %v", err)
		}
		b, _ := s.CreateAPIToken(ctx, APIToken{Username: "wang", Name: "bench", Hash: "h2", CreatedAt: t0.Add(time.Hour)})
		got, err := s.APITokenByHash(ctx, "h1")
		if err != nil || got.ID != a.ID || got.Username != "li" || !got.LastUsed.IsZero() || got.Revoked {
			t.Fatalf("by hash: %+v %v", got, err)
		}
		if err := s.TouchAPIToken(ctx, a.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.APIToken(ctx, a.ID); !got.LastUsed.Equal(t0.Add(time.Minute)) {
			t.Fatalf("last used = %v", got.LastUsed)
		}
		if all, _ := s.ListAPITokens(ctx, ""); len(all) != 2 || all[0].ID != b.ID {
			t.Fatalf("all = %+v", all)
		}
		if own, _ := s.ListAPITokens(ctx, "li"); len(own) != 1 || own[0].ID != a.ID {
			t.Fatalf("own = %+v", own)
		}
		if err := s.RevokeAPIToken(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		if n, err := s.RevokeUserAPITokens(ctx, "wang"); n != 1 || err != nil {
			t.Fatalf("revoke user: %d %v", n, err)
		}
		if got, _ := s.APIToken(ctx, b.ID); !got.Revoked {
			t.Fatal("not revoked")
		}
		// Deleting the user deletes its tokens.
		if err := s.DeleteUser(ctx, "li"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.APITokenByHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("token of deleted user: %v", err)
		}
	})
}

func TestAuditTimeRangeAndCount(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, _ := db.open(t)
		t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		for i := range 5 {
			if _, err := s.AppendAudit(ctx, AuditEntry{User: "u", Action: "a", Time: t0.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ListAudit(ctx, AuditQuery{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)})
		if err != nil || len(got) != 2 || got[0].Seq != 3 || got[1].Seq != 2 {
			t.Fatalf("range = %+v %v", got, err)
		}
		if n, err := s.VerifyAuditCount(ctx); n != 5 || err != nil {
			t.Fatalf("count = %d %v", n, err)
		}
		if _, err := s.db.ExecContext(ctx, db.dropAuditGuards); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE audit SET "user" = 'x' WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		n, err := s.VerifyAuditCount(ctx)
		var broken *AuditBrokenError
		if !errors.As(err, &broken) || broken.Seq != 4 || n != 3 || !errors.Is(err, ErrAuditBroken) {
			t.Fatalf("tampered: %d %v", n, err)
		}
	})
}
