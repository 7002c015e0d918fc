package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		if err := s.CreateUser(ctx, User{Username: "u", PasswordHash: "h", Role: "viewer"}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		se := Session{ID: "abc", Username: "u", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(12 * time.Hour), RemoteAddr: "192.0.2.1"}
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, se); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate: %v", err)
		}
		if err := s.CreateSession(ctx, Session{ID: "x", Username: "ghost", ExpiresAt: now}); err == nil {
			t.Fatal("session for a missing user accepted (foreign keys off?)")
		}
		if err := s.TouchSession(ctx, "abc", now.Add(time.Hour), now.Add(13*time.Hour)); err != nil {
			t.Fatal(err)
		}

		s.Close()
		s, err := reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetSession(ctx, "abc")
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastSeen.Equal(now.Add(time.Hour)) || !got.ExpiresAt.Equal(now.Add(13*time.Hour)) || got.Revoked || got.RemoteAddr != "192.0.2.1" {
			t.Fatalf("session = %+v", got)
		}
		if err := s.RevokeSession(ctx, "abc"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetSession(ctx, "abc"); !got.Revoked {
			t.Fatal("not revoked")
		}
		if err := s.RevokeSession(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke missing: %v", err)
		}
		if _, err := s.GetSession(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}

		for _, id := range []string{"s1", "s2", "keep"} {
			s.CreateSession(ctx, Session{ID: id, Username: "u", CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)})
		}
		if n, err := s.RevokeUserSessions(ctx, "u", "keep"); err != nil || n != 2 {
			t.Fatalf("revoke user sessions = %d, %v", n, err)
		}
		if got, _ := s.GetSession(ctx, "keep"); got.Revoked {
			t.Fatal("kept session revoked")
		}
		if n, err := s.DeleteExpiredSessions(ctx, now.Add(2*time.Hour)); err != nil || n != 4 {
			t.Fatalf("delete expired = %d, %v", n, err)
		}

		// Deleting a user deletes its sessions.
		s.CreateSession(ctx, Session{ID: "s3", Username: "u", ExpiresAt: now.Add(time.Hour)})
		s.DeleteUser(ctx, "u")
		if _, err := s.GetSession(ctx, "s3"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session outlived its user: %v", err)
		}
	})
}
