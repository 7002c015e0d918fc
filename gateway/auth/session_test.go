package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/gateway/store"
)

func TestLoginAuthenticateLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "li.wei", "platform-nine", RoleDispatcher, "bjx")

	token, u, err := f.svc.Login(f.ctx, "li.wei", "platform-nine", "192.0.2.7:51000")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || u.Name != "li.wei" || u.Role != RoleDispatcher || !u.CanSeeStation("bjx") || u.CanSeeStation("bj") {
		t.Fatalf("token %q user %+v", token, u)
	}
	// Only the token's hash is stored.
	if _, err := f.st.GetSession(f.ctx, token); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("raw token stored as session id")
	}
	se, err := f.st.GetSession(f.ctx, sessionID(token))
	if err != nil || se.RemoteAddr != "192.0.2.7:51000" {
		t.Fatalf("session = %+v, %v", se, err)
	}

	got, err := f.svc.Authenticate(f.ctx, token)
	if err != nil || got.Name != "li.wei" {
		t.Fatalf("authenticate = %+v, %v", got, err)
	}
	if err := f.svc.Logout(f.ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, token); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("after logout: %v", err)
	}
	if err := f.svc.Logout(f.ctx, token); err != nil {
		t.Fatalf("second logout: %v", err)
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "li.wei", "platform-nine", RoleViewer)
	if _, _, err := f.svc.Login(f.ctx, "li.wei", "platform-ten", "192.0.2.7:1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := f.svc.Login(f.ctx, "nobody", "platform-nine", "192.0.2.7:1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("unknown user: %v", err)
	}
	u, _ := f.st.GetUser(f.ctx, "li.wei")
	u.Disabled = true
	f.st.UpdateUser(f.ctx, u)
	if _, _, err := f.svc.Login(f.ctx, "li.wei", "platform-nine", "192.0.2.7:1"); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("disabled: %v", err)
	}
}

func TestAuthenticateRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tok := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("A", 500)} {
		if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("token %q: %v", tok, err)
		}
	}
}

func TestSessionIdleExpiryIsSliding(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	token, _, err := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	if err != nil {
		t.Fatal(err)
	}
	// Activity every 11h keeps the session alive well past 12h.
	for range 3 {
		f.clock.Advance(11 * time.Hour)
		if _, err := f.svc.Authenticate(f.ctx, token); err != nil {
			t.Fatalf("active session expired: %v", err)
		}
	}
	f.clock.Advance(12 * time.Hour)
	if _, err := f.svc.Authenticate(f.ctx, token); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("idle session: %v", err)
	}
}

func TestSessionTouchedAtMostOncePerMinute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	token, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	start := f.clock.Now()
	f.clock.Advance(30 * time.Second)
	f.svc.Authenticate(f.ctx, token)
	se, _ := f.st.GetSession(f.ctx, sessionID(token))
	if !se.LastSeen.Equal(start) {
		t.Fatalf("touched after 30s: last_seen %v", se.LastSeen)
	}
	f.clock.Advance(31 * time.Second)
	f.svc.Authenticate(f.ctx, token)
	se, _ = f.st.GetSession(f.ctx, sessionID(token))
	if !se.LastSeen.Equal(f.clock.Now()) || !se.ExpiresAt.Equal(f.clock.Now().Add(12*time.Hour)) {
		t.Fatalf("not touched after 61s: %+v", se)
	}
}

func TestRevokedAndDisabled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleOperator)
	t1, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	t2, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:2")
	api, _, err := f.svc.CreateAPIToken(f.ctx, "u", "tool")
	if err != nil {
		t.Fatal(err)
	}

	// An admin password reset revokes every session and API token.
	if err := f.svc.SetPassword(f.ctx, "u", "abcdefghijk", true); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{t1, t2, api} {
		if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("after reset: %v", err)
		}
	}
	t3, u, err := f.svc.Login(f.ctx, "u", "abcdefghijk", "192.0.2.1:3")
	if err != nil || !u.MustChangePassword {
		t.Fatalf("login after reset: %+v %v", u, err)
	}
	// Disabling the account ends sessions at the next request.
	su, _ := f.st.GetUser(f.ctx, "u")
	su.Disabled = true
	f.st.UpdateUser(f.ctx, su)
	if _, err := f.svc.Authenticate(f.ctx, t3); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("disabled user: %v", err)
	}
	// So does deleting it.
	su.Disabled = false
	f.st.UpdateUser(f.ctx, su)
	t4, _, _ := f.svc.Login(f.ctx, "u", "abcdefghijk", "192.0.2.1:4")
	f.st.DeleteUser(f.ctx, "u")
	if _, err := f.svc.Authenticate(f.ctx, t4); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("deleted user: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	keep, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	other, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.2:1")
	api, _, err := f.svc.CreateAPIToken(f.ctx, "u", "tool")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePassword(f.ctx, keep, "wrong-password", "new-password-1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := f.svc.ChangePassword(f.ctx, keep, "0123456789", "short"); !errors.Is(err, ErrPasswordTooShort) {
		t.Fatalf("short new password: %v", err)
	}
	if err := f.svc.ChangePassword(f.ctx, keep, "0123456789", "new-password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, keep); err != nil {
		t.Fatalf("own session lost: %v", err)
	}
	for _, tok := range []string{other, api} {
		if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("other session or API token kept: %v", err)
		}
	}
	if _, u, err := f.svc.Login(f.ctx, "u", "new-password-1", "192.0.2.1:1"); err != nil || u.MustChangePassword {
		t.Fatalf("login with new password: %+v %v", u, err)
	}
}

func TestCreateUserValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.svc.CreateUser(f.ctx, "bad name", "0123456789", RoleViewer, nil); err == nil {
		t.Error("bad username accepted")
	}
	if _, err := f.svc.CreateUser(f.ctx, "ok", "0123456789", Role("root"), nil); err == nil {
		t.Error("bad role accepted")
	}
	if _, err := f.svc.CreateUser(f.ctx, "ok", "short", RoleViewer, nil); !errors.Is(err, ErrPasswordTooShort) {
		t.Errorf("short password: %v", err)
	}
	f.addUser(t, "ok", "0123456789", RoleViewer)
	if _, err := f.svc.CreateUser(f.ctx, "ok", "0123456789", RoleViewer, nil); !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
}

func TestChangePasswordGuessesLockTheSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	stolen, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	for i := range 5 {
		err := f.svc.ChangePassword(f.ctx, stolen, fmt.Sprint("guess-number-", i), "new-password-1")
		var failed *FailedLoginError
		if !errors.As(err, &failed) || (len(failed.Engaged) == 1) != (i == 4) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if err := f.svc.ChangePassword(f.ctx, stolen, "0123456789", "new-password-1"); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("locked session: %v", err)
	}
	// The owner still logs in from an address that has not failed.
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1"); err != nil {
		t.Fatalf("owner's login: %v", err)
	}
}

func TestLoginBusyWhenNoHashSlotFrees(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.HashSlots, o.HashWait = 2, 10*time.Millisecond })
	f.addUser(t, "u", "0123456789", RoleViewer)
	// Two slow checks hold both slots.
	for range 2 {
		if err := f.svc.slots.acquire(f.ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		_, _, err := f.svc.Login(f.ctx, "u", "wrong-password", "192.0.2.1:1")
		var rl *RateLimitError
		if !errors.As(err, &rl) || !rl.Busy || !errors.Is(err, ErrBusy) || errors.Is(err, ErrRateLimited) || rl.RetryAfter <= 0 {
			t.Fatalf("attempt %d with no slot: %v", i, err)
		}
	}
	if st := f.svc.HashStats(); st.Busy != 6 || st.Checks != 0 {
		t.Fatalf("stats %+v", st)
	}
	// Refused attempts counted nothing: the right password works at once.
	f.svc.slots.release()
	if _, _, err := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1"); err != nil {
		t.Fatalf("login with a free slot: %v", err)
	}
}

func TestChangePasswordWithAnAPITokenKeepsThatToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "u", "0123456789", RoleViewer)
	session, _, _ := f.svc.Login(f.ctx, "u", "0123456789", "192.0.2.1:1")
	tool, _, _ := f.svc.CreateAPIToken(f.ctx, "u", "tool")
	other, _, _ := f.svc.CreateAPIToken(f.ctx, "u", "other")
	if err := f.svc.ChangePassword(f.ctx, tool, "0123456789", "new-password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, tool); err != nil {
		t.Fatalf("the token that made the change: %v", err)
	}
	for _, tok := range []string{session, other} {
		if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("kept after the change: %v", err)
		}
	}
}
