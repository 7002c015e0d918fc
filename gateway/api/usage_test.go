package api

import (
	"errors"
	"fmt"
	"testing"

	"vigil/gateway/auth"
)

// Each login error counts under its reason, wrapped or not; an error of
// the store is "error"; every reason is reported from the start.
func TestLoginFailureReasons(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&auth.FailedLoginError{}, failBadCredentials},
		{auth.ErrInvalidCredentials, failBadCredentials},
		{fmt.Errorf("login: %w", auth.ErrUserDisabled), failDisabled},
		{&auth.RateLimitError{}, failRateLimited},
		{&auth.RateLimitError{Busy: true}, failBusy},
		{errors.New("database is locked"), failError},
	} {
		if got := loginFailureReason(c.err); got != c.want {
			t.Errorf("%v: reason %s, want %s", c.err, got, c.want)
		}
	}
	s := &Server{}
	if got := s.LoginFailures(); len(got) != 5 || got[failBusy] != 0 {
		t.Fatalf("before any failure: %v", got)
	}
	s.loginFailures.add(failBusy)
	s.loginFailures.add(failBusy)
	if got := s.LoginFailures(); got[failBusy] != 2 || got[failBadCredentials] != 0 {
		t.Fatalf("after two busy: %v", got)
	}
}
