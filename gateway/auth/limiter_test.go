package auth

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestLoginRateLimitPerUser(t *testing.T) {
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	// Five failures from different clients lock the username.
	for i := range 5 {
		_, _, err := f.svc.Login(f.ctx, "u", "wrong-password", fmt.Sprintf("192.0.2.%d:1", i))
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	_, _, err := f.svc.Login(f.ctx, "u", "0123456789", "198.51.100.1:1")
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("locked login: %v", err)
	}
	// Lockout ends; the next failure doubles it.
	f.clock.Advance(30 * time.Second)
	f.svc.Login(f.ctx, "u", "wrong-password", "198.51.100.1:1")
	_, _, err = f.svc.Login(f.ctx, "u", "0123456789", "198.51.100.1:1")
	if !errors.As(err, &rl) || rl.RetryAfter != time.Minute {
		t.Fatalf("second lockout: %v", err)
	}
	// Capped at 15 minutes however long the attack goes on.
	// (Each attempt from a new address, so only the username's lockout applies.)
	for i := range 20 {
		f.clock.Advance(rl.RetryAfter)
		addr := fmt.Sprintf("203.0.113.%d:1", i)
		f.svc.Login(f.ctx, "u", "wrong-password", addr)
		_, _, err = f.svc.Login(f.ctx, "u", "0123456789", addr)
		errors.As(err, &rl)
	}
	if rl.RetryAfter != 15*time.Minute {
		t.Fatalf("lockout not capped: %v", rl.RetryAfter)
	}
	// After it, the right password works and clears the count.
	f.clock.Advance(15 * time.Minute)
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "198.51.100.1:1"); err != nil {
		t.Fatalf("after lockout: %v", err)
	}
	if _, _, err := f.svc.Login(f.ctx, "u", "wrong-password", "198.51.100.1:1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("count not reset: %v", err)
	}
}

func TestLoginRateLimitPerClient(t *testing.T) {
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	// Spraying 20 usernames from one IPv6 /64 locks the whole /64.
	for i := range 20 {
		addr := fmt.Sprintf("[2001:db8::%x]:443", i)
		if _, _, err := f.svc.Login(f.ctx, fmt.Sprint("user", i), "wrong-password", addr); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "[2001:db8::ffff]:1"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("same /64: %v", err)
	}
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "[2001:db8:1::1]:1"); err != nil {
		t.Fatalf("other /64: %v", err)
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1:5000":        "192.0.2.1",
		"192.0.2.1":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80": "192.0.2.1",
		"[2001:db8::1]:80":      "2001:db8::/64",
		"2001:db8:0:0:1::2":     "2001:db8::/64",
		"not-an-address":        "not-an-address",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLimiterForgetsAndPrunes(t *testing.T) {
	l := newLimiter(2, time.Second, time.Minute)
	now := time.Unix(0, 0)
	l.fail("k", now)
	l.fail("k", now.Add(2*time.Minute)) // the first is forgotten
	if l.retryAfter("k", now.Add(2*time.Minute)) != 0 {
		t.Fatal("old failure still counted")
	}
	for i := range maxEntries + 10 {
		l.fail(fmt.Sprint(i), now)
	}
	l.fail("late", now.Add(time.Hour))
	if len(l.entries) > maxEntries {
		t.Fatalf("entries = %d, not pruned", len(l.entries))
	}
}
