package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/gateway/api"
	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// lightParams keep argon2 cheap under -race; the bound on concurrent runs
// is what these tests check, not the cost of one.
var lightParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const rightPassword = "platform-nine"

// loginStack is the smallest real stack serving POST /api/session: a
// SQLite store, the auth service, the audit log and the API on a loopback
// listener.
type loginStack struct {
	t      *testing.T
	url    string
	dbPath string
	st     *store.Store
	svc    *auth.Service
	audit  *audit.Log
}

func newLoginStack(t *testing.T, users ...string) *loginStack {
	t.Helper()
	return newLoginStackBusy(t, store.DefaultBusyTimeout, users...)
}

// newLoginStackBusy is newLoginStack whose database gives up waiting for
// another writer after busy.
func newLoginStackBusy(t *testing.T, busy time.Duration, users ...string) *loginStack {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "vigil.db")
	st, err := store.OpenSQLite(dbPath, busy)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// A clock that stands still: no lock expires while a test runs.
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	svc := auth.New(auth.Options{Store: st, Params: lightParams, Log: quiet, HashSlots: 2,
		HashWait: time.Minute, Now: func() time.Time { return now }})
	for _, u := range users {
		if _, err := svc.CreateUser(context.Background(), u, rightPassword, auth.RoleViewer, nil); err != nil {
			t.Fatal(err)
		}
	}
	al := audit.New(audit.Options{Store: st, Logger: quiet})
	t.Cleanup(al.Close)
	srv := httptest.NewServer(api.New(api.Options{Users: svc, Accounts: svc, Audit: al, Logger: quiet}))
	t.Cleanup(srv.Close)
	return &loginStack{t: t, url: srv.URL, dbPath: dbPath, st: st, svc: svc, audit: al}
}

// clientFrom is an HTTP client whose connections come from the loopback
// address ip, as a client on another host would.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

type loginAnswer struct {
	status     int
	retryAfter string
	body       string
}

func login(t *testing.T, c *http.Client, url, user, password string, header ...string) loginAnswer {
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	req, err := http.NewRequest("POST", url+"/api/session", strings.NewReader(string(body)))
	if err != nil {
		t.Error(err)
		return loginAnswer{}
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return loginAnswer{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return loginAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), string(data)}
}

// burst sends n logins at once, each from its own client on ip; login i
// is for credentials(i). It returns the answers by status.
func (s *loginStack) burst(n int, ip string, credentials func(i int) (user, password string)) map[int][]loginAnswer {
	start := make(chan struct{})
	answers := make([]loginAnswer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFrom(ip)
			defer c.CloseIdleConnections()
			user, password := credentials(i)
			<-start
			answers[i] = login(s.t, c, s.url, user, password)
		}()
	}
	close(start)
	wg.Wait()
	by := map[int][]loginAnswer{}
	for _, a := range answers {
		by[a.status] = append(by[a.status], a)
	}
	return by
}

func counts(by map[int][]loginAnswer) map[int]int {
	out := map[int]int{}
	for k, v := range by {
		out[k] = len(v)
	}
	return out
}

// auditReasons flushes the audit log and counts login.failed entries of
// user by reason (and scope, for lockouts).
func (s *loginStack) auditReasons(user string) map[string]int {
	s.t.Helper()
	if err := s.audit.Flush(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	list, err := s.st.ListAudit(context.Background(), store.AuditQuery{User: user, Action: audit.ActionLoginFailed, Limit: 1000})
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range list {
		var d struct{ Reason, Scope string }
		json.Unmarshal(e.Detail, &d)
		out[strings.TrimSuffix(d.Reason+" "+d.Scope, " ")]++
	}
	return out
}

func TestConcurrentGuessesCheckNoMoreThanTheLockAllows(t *testing.T) {
	s := newLoginStack(t, "li.wei")
	wrong := func(i int) (string, string) { return "li.wei", fmt.Sprint("guess-", i) }
	by := s.burst(200, "127.0.0.2", wrong)
	// Five wrong passwords lock li.wei at this address: five are checked,
	// however many arrive at once; the rest are refused unchecked.
	if c := counts(by); c[http.StatusUnauthorized] != 5 || c[http.StatusTooManyRequests] != 195 || len(c) != 2 {
		t.Fatalf("answers %v, want 5 × 401 and 195 × 429", c)
	}
	for _, a := range by[http.StatusTooManyRequests] {
		if a.retryAfter == "" {
			t.Fatalf("429 without Retry-After: %s", a.body)
		}
	}
	if st := s.svc.HashStats(); st.Checks != 5 || st.Peak > 2 {
		t.Fatalf("hash stats %+v: want 5 checks, at most 2 at once", st)
	}
	// Locked now: a burst with the right password among the guesses gets
	// nothing checked and nothing through.
	mixed := func(i int) (string, string) {
		if i%2 == 0 {
			return "li.wei", rightPassword
		}
		return wrong(i)
	}
	if c := counts(s.burst(200, "127.0.0.2", mixed)); c[http.StatusTooManyRequests] != 200 {
		t.Fatalf("answers while locked: %v", c)
	}
	if st := s.svc.HashStats(); st.Checks != 5 {
		t.Fatalf("%d passwords checked while locked", st.Checks)
	}
	// The audit has each checked guess and the lock's engagement, once.
	want := map[string]int{"bad_credentials": 5, "locked_out user_address": 1}
	if got := s.auditReasons("li.wei"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit %v, want %v", got, want)
	}
}

func TestConcurrentSprayChecksNoMoreThanTheAddressLockAllows(t *testing.T) {
	s := newLoginStack(t, "li.wei")
	spray := func(i int) (string, string) { return fmt.Sprint("user-", i), "guess-password" }
	// Twenty failures lock an address for every username.
	if c := counts(s.burst(200, "127.0.0.4", spray)); c[http.StatusUnauthorized] != 20 || c[http.StatusTooManyRequests] != 180 {
		t.Fatalf("answers %v, want 20 × 401 and 180 × 429", c)
	}
	if st := s.svc.HashStats(); st.Checks != 20 || st.Peak > 2 {
		t.Fatalf("hash stats %+v: want 20 checks, at most 2 at once", st)
	}
	if a := login(t, clientFrom("127.0.0.4"), s.url, "li.wei", rightPassword); a.status != http.StatusTooManyRequests {
		t.Fatalf("locked address, right password: %d %s", a.status, a.body)
	}
}

func TestConcurrentLoginsShareTwoHashSlots(t *testing.T) {
	users := make([]string, 40)
	for i := range users {
		users[i] = fmt.Sprint("user-", i)
	}
	s := newLoginStack(t, users...)
	before := s.svc.HashStats()
	// 200 logins at once from 20 addresses: right passwords of 40 users,
	// and one in five for an unknown user (checked against a dummy hash).
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	status := map[int]int{}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFrom(fmt.Sprint("127.0.0.", 10+i%20))
			defer c.CloseIdleConnections()
			user := users[i%40]
			if i%5 == 4 {
				user = fmt.Sprint("ghost-", i)
			}
			<-start
			a := login(t, c, s.url, user, rightPassword)
			mu.Lock()
			status[a.status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	st := s.svc.HashStats()
	if status[http.StatusOK] != 160 || status[http.StatusUnauthorized] != 40 || st.Checks-before.Checks != 200 {
		t.Fatalf("answers %v, %d checks", status, st.Checks-before.Checks)
	}
	if st.Peak > 2 {
		t.Fatalf("%d argon2 runs at once, bound is 2", st.Peak)
	}
	t.Logf("hash stats %+v", st)
}

func TestGuessesFromOneAddressDoNotLockTheUserOut(t *testing.T) {
	s := newLoginStack(t, "li.wei")
	attacker, owner := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	for i := range 5 {
		if a := login(t, attacker, s.url, "li.wei", fmt.Sprint("guess-", i)); a.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s", i, a.status, a.body)
		}
	}
	if a := login(t, attacker, s.url, "li.wei", rightPassword); a.status != http.StatusTooManyRequests {
		t.Fatalf("attacker's address with the right password: %d %s", a.status, a.body)
	}
	// X-Forwarded-For is not trusted: the attacker cannot claim the owner's address.
	if a := login(t, attacker, s.url, "li.wei", rightPassword, "X-Forwarded-For", "127.0.0.3"); a.status != http.StatusTooManyRequests {
		t.Fatalf("forged X-Forwarded-For: %d %s", a.status, a.body)
	}
	if a := login(t, owner, s.url, "li.wei", rightPassword); a.status != http.StatusOK {
		t.Fatalf("owner from another address: %d %s", a.status, a.body)
	}
}

func TestLoginWhileTheDatabaseCannotBeWritten(t *testing.T) {
	s := newLoginStackBusy(t, time.Second, "li.wei")
	c := clientFrom("127.0.0.2")
	// Another connection holds the write lock, as a stuck writer or a full
	// disk would: reads work, the session cannot be written.
	db, err := sql.Open("sqlite", s.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	a := login(t, c, s.url, "li.wei", rightPassword)
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "database") {
		t.Fatalf("right password, database not writable: %d %s", a.status, a.body)
	}
	if a := login(t, c, s.url, "li.wei", "wrong-password"); a.status != http.StatusUnauthorized {
		t.Fatalf("wrong password, database not writable: %d %s", a.status, a.body)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if a := login(t, c, s.url, "li.wei", rightPassword); a.status != http.StatusOK {
		t.Fatalf("after the database recovered: %d %s", a.status, a.body)
	}
	// A closed database cannot even check the password: 503 too.
	s.st.Close()
	if a := login(t, c, s.url, "li.wei", rightPassword); a.status != http.StatusServiceUnavailable {
		t.Fatalf("database closed: %d %s", a.status, a.body)
	}
}

// A session the database cannot check now is not a lost session: 503, so
// a console keeps playing instead of logging out (a PostgreSQL outage on a
// cluster node); only a token known to be bad answers 401.
func TestSessionUncheckableWhileTheDatabaseIsDown(t *testing.T) {
	s := newLoginStack(t, "li.wei")
	c := clientFrom("127.0.0.2")
	a := login(t, c, s.url, "li.wei", rightPassword)
	var out struct{ Token string }
	if a.status != http.StatusOK || json.Unmarshal([]byte(a.body), &out) != nil {
		t.Fatalf("login: %d %s", a.status, a.body)
	}
	get := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", s.url+"/api/session", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(out.Token); code != http.StatusOK {
		t.Fatalf("with the database up: %d %s", code, body)
	}
	s.st.Close()
	if code, body := get(out.Token); code != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Fatalf("a valid session, database down: %d %s, want 503", code, body)
	}
	if code, body := get("short"); code != http.StatusUnauthorized {
		t.Fatalf("a malformed token, database down: %d %s, want 401", code, body)
	}
}
