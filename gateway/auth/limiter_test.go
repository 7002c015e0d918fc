package auth

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestLoginLockoutPerUserAndAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	const attacker, owner = "192.0.2.66:1", "198.51.100.1:1"
	for i := range 5 {
		_, _, err := f.svc.Login(f.ctx, "u", "wrong-password", attacker)
		var failed *FailedLoginError
		if !errors.As(err, &failed) || !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
		if want := i == 4; (len(failed.Engaged) == 1) != want {
			t.Fatalf("failure %d engaged %+v", i, failed.Engaged)
		}
	}
	// The attacker's address is locked, even with the right password.
	_, _, err := f.svc.Login(f.ctx, "u", "0123456789", attacker)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) || rl.Busy || rl.RetryAfter != 30*time.Second {
		t.Fatalf("locked login: %v", err)
	}
	// The user is not locked out from an address that has not failed.
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", owner); err != nil {
		t.Fatalf("owner's login: %v", err)
	}
	// Lockout ends; the next failure doubles it and is reported again.
	f.clock.Advance(30 * time.Second)
	_, _, err = f.svc.Login(f.ctx, "u", "wrong-password", attacker)
	var failed *FailedLoginError
	if !errors.As(err, &failed) || len(failed.Engaged) != 1 || failed.Engaged[0] != (Lockout{ScopeUserAddress, time.Minute}) {
		t.Fatalf("second lockout: %v %+v", err, failed)
	}
	// Capped at 15 minutes however long the attack goes on.
	for range 20 {
		f.clock.Advance(15 * time.Minute)
		f.svc.Login(f.ctx, "u", "wrong-password", attacker)
	}
	_, _, err = f.svc.Login(f.ctx, "u", "0123456789", attacker)
	if !errors.As(err, &rl) || rl.RetryAfter != 15*time.Minute {
		t.Fatalf("lockout not capped: %v", err)
	}
	// After it, the right password works and clears the count of the
	// user at this address (not of the address: it failed 20 times).
	f.clock.Advance(15 * time.Minute)
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", attacker); err != nil {
		t.Fatalf("after lockout: %v", err)
	}
	_, _, err = f.svc.Login(f.ctx, "u", "wrong-password", attacker)
	if !errors.As(err, &failed) || len(failed.Engaged) != 1 || failed.Engaged[0].Scope != ScopeAddress {
		t.Fatalf("count not reset: %v %+v", err, failed)
	}
}

func TestLoginLockoutPerUserAcrossAddresses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.AccountFailures = 12 })
	f.addUser(t, "u", "0123456789", RoleViewer)
	// Guesses spread over many addresses, fewer than 5 from each.
	for i := range 12 {
		_, _, err := f.svc.Login(f.ctx, "u", "wrong-password", fmt.Sprintf("192.0.2.%d:1", i/3))
		var failed *FailedLoginError
		if !errors.As(err, &failed) {
			t.Fatalf("failure %d: %v", i, err)
		}
		if want := i == 11; want != (len(failed.Engaged) == 1 && failed.Engaged[0].Scope == ScopeUser) {
			t.Fatalf("failure %d engaged %+v", i, failed.Engaged)
		}
	}
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "198.51.100.1:1"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("user locked everywhere: %v", err)
	}
	// Other users are not affected.
	f.addUser(t, "v", "0123456789", RoleViewer)
	if _, _, err := f.svc.Login(f.ctx, "v", "0123456789", "198.51.100.1:1"); err != nil {
		t.Fatalf("other user: %v", err)
	}
}

func TestLoginRateLimitPerClient(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.1:5000":        "192.0.2.1",
		"192.0.2.1":             "192.0.2.1",
		"[::ffff:192.0.2.1]:80": "192.0.2.1",
		"[2001:db8::1]:80":      "2001:db8::/64",
		"2001:db8:0:0:1::2":     "2001:db8::/64",
		"not-an-address":        "not-an-address",
	} {
		if got := ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// fail reserves and fails one attempt on key.
func fail(t *testing.T, l *limiter, key string, now time.Time) time.Duration {
	t.Helper()
	if ok, retry := l.reserve(key, now); !ok {
		t.Fatalf("%s refused (retry %v)", key, retry)
	}
	return l.settle(key, now, true)
}

func TestLimiterReservesNoMoreThanTheFailuresLeft(t *testing.T) {
	t.Parallel()
	l := newLimiter(5, time.Second, time.Minute)
	now := time.Unix(0, 0)
	fail(t, l, "k", now)
	fail(t, l, "k", now)
	// Three failures are left before the lock: three attempts in flight.
	for i := range 3 {
		if ok, _ := l.reserve("k", now); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if ok, retry := l.reserve("k", now); ok || retry != 0 {
		t.Fatalf("fourth in flight: ok %v retry %v", ok, retry)
	}
	// One succeeds, so one more may go; the failures lock once.
	l.settle("k", now, false)
	if ok, _ := l.reserve("k", now); !ok {
		t.Fatal("freed reservation refused")
	}
	var locks []time.Duration
	for range 3 {
		if d := l.settle("k", now, true); d > 0 {
			locks = append(locks, d)
		}
	}
	if len(locks) != 1 || locks[0] != time.Second {
		t.Fatalf("locks engaged: %v", locks)
	}
	if ok, retry := l.reserve("k", now); ok || retry != time.Second {
		t.Fatalf("locked: ok %v retry %v", ok, retry)
	}
	// After the lock, one attempt at a time; its failure locks for longer.
	now = now.Add(time.Second)
	if ok, _ := l.reserve("k", now); !ok {
		t.Fatal("after the lock: refused")
	}
	if ok, _ := l.reserve("k", now); ok {
		t.Fatal("two attempts at once after the lock")
	}
	if d := l.settle("k", now, true); d != 2*time.Second {
		t.Fatalf("second lock %v", d)
	}
}

func TestLimiterForgetsAndPrunes(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, time.Second, time.Minute)
	now := time.Unix(0, 0)
	fail(t, l, "k", now)
	if d := fail(t, l, "k", now.Add(2*time.Minute)); d != 0 { // the first is forgotten
		t.Fatalf("old failure still counted: locked %v", d)
	}
	if ok, _ := l.reserve("inflight", now); !ok {
		t.Fatal("reserve refused")
	}
	for i := range maxEntries + 10 {
		fail(t, l, fmt.Sprint(i), now)
	}
	fail(t, l, "late", now.Add(time.Hour))
	if len(l.entries) > maxEntries {
		t.Fatalf("entries = %d, not pruned", len(l.entries))
	}
	// A key with an attempt in flight is kept, so its settle still counts.
	if l.entries["inflight"] == nil {
		t.Fatal("reserved key pruned")
	}
}
