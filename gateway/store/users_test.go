package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestUsersCRUDAndPersistence(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, db testDB) {
		ctx := context.Background()
		s, path := db.open(t)
		created := time.Date(2025, 3, 1, 8, 0, 0, 123e6, time.UTC)
		u := User{Username: "li.wei", PasswordHash: "$argon2id$x", Role: "dispatcher",
			Stations: []string{"bjx", "bjn"}, MustChangePassword: true, CreatedAt: created}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, u); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate create: %v", err)
		}
		if err := s.CreateUser(ctx, User{Username: "admin", PasswordHash: "h", Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 2 {
			t.Fatalf("count = %d, %v", n, err)
		}

		// Survives a restart.
		s.Close()
		s, err := reopen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.GetUser(ctx, "li.wei")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("got %+v\nwant %+v", got, u)
		}
		admin, _ := s.GetUser(ctx, "admin")
		if admin.Stations == nil || len(admin.Stations) != 0 || admin.CreatedAt.IsZero() {
			t.Errorf("admin = %+v", admin)
		}

		u.Role, u.Stations, u.Disabled, u.MustChangePassword = "operator", nil, true, false
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, "li.wei", "$argon2id$y", true); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetUser(ctx, "li.wei")
		if got.Role != "operator" || len(got.Stations) != 0 || !got.Disabled || got.PasswordHash != "$argon2id$y" || !got.MustChangePassword {
			t.Errorf("after update: %+v", got)
		}

		users, err := s.ListUsers(ctx)
		if err != nil || len(users) != 2 || users[0].Username != "admin" {
			t.Fatalf("list = %+v, %v", users, err)
		}
		if err := s.DeleteUser(ctx, "li.wei"); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"get":      func() error { _, err := s.GetUser(ctx, "li.wei"); return err }(),
			"delete":   s.DeleteUser(ctx, "li.wei"),
			"update":   s.UpdateUser(ctx, u),
			"password": s.SetPassword(ctx, "nobody", "h", false),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s of missing user: %v", name, err)
			}
		}
	})
}
