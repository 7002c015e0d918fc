package auth

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

func TestBootstrapGeneratedPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	if err := bootstrap(f.ctx, f.st, "", log, testParams); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password=(\S+)`).FindStringSubmatch(logBuf.String())
	if m == nil || len(m[1]) != generatedLen || strings.Count(logBuf.String(), m[1]) != 1 {
		t.Fatalf("log = %s", logBuf.String())
	}
	su, err := f.st.GetUser(f.ctx, "admin")
	if err != nil || su.Role != "admin" || len(su.Stations) != 0 || !su.MustChangePassword {
		t.Fatalf("admin = %+v, %v", su, err)
	}
	_, u, err := f.svc.Login(f.ctx, "admin", m[1], "127.0.0.1:1")
	if err != nil || !u.MustChangePassword || !u.Role.IsAdmin() {
		t.Fatalf("login with logged password: %+v %v", u, err)
	}

	// Second start: nothing created, nothing logged.
	logBuf.Reset()
	if err := bootstrap(f.ctx, f.st, "", log, testParams); err != nil || logBuf.Len() != 0 {
		t.Fatalf("second bootstrap: %v, log %q", err, logBuf.String())
	}
}

func TestBootstrapEnvPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logBuf bytes.Buffer
	if err := bootstrap(f.ctx, f.st, "from-the-environment", slog.New(slog.NewTextHandler(&logBuf, nil)), testParams); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logBuf.String(), "from-the-environment") {
		t.Fatal("env password logged")
	}
	_, u, err := f.svc.Login(f.ctx, "admin", "from-the-environment", "127.0.0.1:1")
	if err != nil || u.MustChangePassword {
		t.Fatalf("login: %+v %v", u, err)
	}
}

func TestBootstrapRefusesWeakEnvPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := bootstrap(f.ctx, f.st, "admin", nil, testParams); err == nil {
		t.Fatal("accepted a 5-character admin password")
	}
	if n, _ := f.st.CountUsers(f.ctx); n != 0 {
		t.Fatal("user created anyway")
	}
}

func TestRandomPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		p, err := randomPassword(generatedLen)
		if err != nil || len(p) != generatedLen || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("password %q, %v", p, err)
		}
		seen[p] = true
	}
}
