package auth

import (
	"errors"
	"strings"
	"testing"

	"vigil/gateway/store"
)

func ptr[T any](v T) *T { return &v }

func TestCreateAccountMustChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, err := f.svc.CreateAccount(f.ctx, NewAccount{Name: "li", Password: "0123456789", Role: RoleDispatcher,
		Stations: []string{"bjn", "bjn", "bj"}, MustChange: true})
	if err != nil || !a.MustChangePassword || strings.Join(a.Stations, ",") != "bjn,bj" {
		t.Fatalf("account = %+v, %v", a, err)
	}
	if _, u, err := f.svc.Login(f.ctx, "li", "0123456789", "192.0.2.1:1"); err != nil || !u.MustChangePassword {
		t.Fatalf("login: %+v %v", u, err)
	}
}

func TestUpdateAccountRevokes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "root", "0123456789", RoleAdmin)
	f.addUser(t, "li", "0123456789", RoleDispatcher, "bjn")
	tok, _, _ := f.svc.Login(f.ctx, "li", "0123456789", "192.0.2.1:1")
	apiTok, _, err := f.svc.CreateAPIToken(f.ctx, "li", "tool")
	if err != nil {
		t.Fatal(err)
	}

	// A new scope ends sessions, not tokens.
	a, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Stations: ptr([]string{"bjn", "bjx"})})
	if err != nil || len(a.Stations) != 2 {
		t.Fatalf("update: %+v %v", a, err)
	}
	if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("session after scope change: %v", err)
	}
	if u, err := f.svc.Authenticate(f.ctx, apiTok); err != nil || !u.CanSeeStation("bjx") {
		t.Fatalf("token after scope change: %+v %v", u, err)
	}
	// Nothing changed: the session stays.
	tok, _, _ = f.svc.Login(f.ctx, "li", "0123456789", "192.0.2.1:1")
	if _, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Role: ptr(RoleDispatcher)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, tok); err != nil {
		t.Fatalf("session after no-op change: %v", err)
	}
	// Disabling ends both, for good.
	if _, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{tok, apiTok} {
		if _, err := f.svc.Authenticate(f.ctx, tk); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("after disable: %v", err)
		}
	}
	f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Disabled: ptr(false)})
	if _, err := f.svc.Authenticate(f.ctx, apiTok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("token revived by enable: %v", err)
	}
	// Password reset: must change, old password gone.
	if _, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Password: ptr("short")}); !errors.Is(err, ErrPasswordTooShort) {
		t.Fatalf("short reset: %v", err)
	}
	if _, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Password: ptr("reset-password-1")}); err != nil {
		t.Fatal(err)
	}
	if _, u, err := f.svc.Login(f.ctx, "li", "reset-password-1", "192.0.2.1:1"); err != nil || !u.MustChangePassword {
		t.Fatalf("login after reset: %+v %v", u, err)
	}
	if _, err := f.svc.UpdateAccount(f.ctx, "root", "li", AccountChange{Role: ptr(Role("root"))}); err == nil {
		t.Fatal("bad role accepted")
	}
}

func TestLastAdminAndSelf(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "a1", "0123456789", RoleAdmin)
	f.addUser(t, "a2", "0123456789", RoleAdmin)
	if err := f.svc.DeleteAccount(f.ctx, "a1", "a1"); !errors.Is(err, ErrSelf) {
		t.Fatalf("delete self: %v", err)
	}
	if _, err := f.svc.UpdateAccount(f.ctx, "a1", "a1", AccountChange{Role: ptr(RoleViewer)}); !errors.Is(err, ErrSelf) {
		t.Fatalf("demote self: %v", err)
	}
	if _, err := f.svc.UpdateAccount(f.ctx, "a1", "a1", AccountChange{Disabled: ptr(true)}); !errors.Is(err, ErrSelf) {
		t.Fatalf("disable self: %v", err)
	}
	// a1 may demote a2 ... and then a2's account cannot remove a1, the last one.
	if _, err := f.svc.UpdateAccount(f.ctx, "a1", "a2", AccountChange{Role: ptr(RoleOperator)}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteAccount(f.ctx, "a2", "a1"); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("delete last admin: %v", err)
	}
	if _, err := f.svc.UpdateAccount(f.ctx, "a2", "a1", AccountChange{Disabled: ptr(true)}); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("disable last admin: %v", err)
	}
	if err := f.svc.DeleteAccount(f.ctx, "a1", "a2"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteAccount(f.ctx, "a1", "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete unknown: %v", err)
	}
	if list, _ := f.svc.ListAccounts(f.ctx); len(list) != 1 || list[0].Name != "a1" {
		t.Fatalf("accounts = %+v", list)
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.addUser(t, "li", "0123456789", RoleViewer)
	if _, _, err := f.svc.CreateAPIToken(f.ctx, "li", ""); err == nil {
		t.Fatal("empty name accepted")
	}
	if _, _, err := f.svc.CreateAPIToken(f.ctx, "li", "bad\x00name"); err == nil {
		t.Fatal("control char accepted")
	}
	tok, info, err := f.svc.CreateAPIToken(f.ctx, "li", "录像导出脚本")
	if err != nil || !IsAPIToken(tok) || len(tok) != apiTokenLen || info.User != "li" {
		t.Fatalf("token %q %+v %v", tok, info, err)
	}
	if _, err := f.st.APITokenByHash(f.ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("raw token stored")
	}
	u, err := f.svc.Authenticate(f.ctx, tok)
	if err != nil || u.Name != "li" {
		t.Fatalf("authenticate: %+v %v", u, err)
	}
	if got, _ := f.svc.APITokenByID(f.ctx, info.ID); !got.LastUsed.Equal(f.clock.Now()) {
		t.Fatalf("last used = %v", got.LastUsed)
	}
	for _, bad := range []string{APITokenPrefix, APITokenPrefix + strings.Repeat("A", tokenLen), tok + "x"} {
		if _, err := f.svc.Authenticate(f.ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("bad token %q: %v", bad, err)
		}
	}
	if err := f.svc.RevokeAPIToken(f.ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(f.ctx, tok); !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("revoked: %v", err)
	}
	for i := range MaxAPITokens {
		if _, _, err := f.svc.CreateAPIToken(f.ctx, "li", "t"); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if _, _, err := f.svc.CreateAPIToken(f.ctx, "li", "t"); !errors.Is(err, ErrTooManyTokens) {
		t.Fatalf("over the limit: %v", err)
	}
}
