package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
)

// Fuzz targets for every access-control request body: the decoder must
// never panic, and whatever it accepts must satisfy the rules.

var fuzzCatalog = catalog.New([]*catalog.Station{{ID: "bjx"}, {ID: "bjn"}}, nil)

// decode runs the API's JSON decoder on body.
func decode(body string, v any) error {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	return decodeJSON(httptest.NewRecorder(), r, v)
}

func FuzzLoginBody(f *testing.F) {
	for _, s := range []string{`{"username":"admin","password":"secret-password"}`, `{}`, `{"username":1}`,
		`{"username":"a","password":"b"} {}`, `{"username":"a","extra":1}`, `[`, ``, `{"username":"\u0000"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req loginRequest
		if decode(body, &req) != nil {
			return
		}
		if len(req.Username) > len(body) || len(req.Password) > len(body) {
			t.Fatalf("decoded more than the body: %+v", req)
		}
	})
}

func FuzzCreateUserBody(f *testing.F) {
	for _, s := range []string{
		`{"username":"li.wei","password":"platform-nine","role":"dispatcher","stations":["bjn"]}`,
		`{"username":"root","password":"0123456789","role":"admin","stations":["bjn"]}`,
		`{"username":"x","password":"0123456789","role":"viewer","stations":["nowhere"],"must_change_password":false}`,
		`{"username":"","password":"","role":"","stations":null}`, `{"stations":[1]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req createUserRequest
		if decode(body, &req) != nil {
			return
		}
		na, err := parseCreateUser(req, fuzzCatalog)
		if err != nil {
			return
		}
		if !auth.ValidUsername(na.Name) || !na.Role.Valid() || auth.CheckPasswordPolicy(na.Password) != nil {
			t.Fatalf("accepted %+v", na)
		}
		if na.Role == auth.RoleAdmin && len(na.Stations) > 0 {
			t.Fatalf("scoped admin accepted: %+v", na)
		}
		for _, s := range na.Stations {
			if s != "bjx" && s != "bjn" {
				t.Fatalf("unknown station accepted: %q", s)
			}
		}
	})
}

func FuzzUpdateUserBody(f *testing.F) {
	for _, s := range []string{`{"role":"operator"}`, `{"stations":["bjx","bjx"]}`, `{"disabled":true}`,
		`{"password":"reset-password"}`, `{"role":"admin"}`, `{"role":"admin","stations":[]}`, `{"password":"x"}`, `{"role":null}`} {
		f.Add(s)
	}
	cur := auth.Account{User: auth.User{Name: "li", Role: auth.RoleDispatcher, Stations: []string{"bjn"}}}
	f.Fuzz(func(t *testing.T, body string) {
		var req updateUserRequest
		if decode(body, &req) != nil {
			return
		}
		ch, err := parseUpdateUser(req, cur, fuzzCatalog)
		if err != nil {
			return
		}
		if ch.Role != nil && !ch.Role.Valid() {
			t.Fatalf("role %q accepted", *ch.Role)
		}
		if ch.Password != nil && auth.CheckPasswordPolicy(*ch.Password) != nil {
			t.Fatalf("password %q accepted", *ch.Password)
		}
		if ch.Role != nil && *ch.Role == auth.RoleAdmin && (ch.Stations == nil || len(*ch.Stations) > 0) {
			t.Fatalf("scoped admin accepted: %s", body)
		}
	})
}

func FuzzTokenBody(f *testing.F) {
	for _, s := range []string{`{"name":"导出脚本"}`, `{"name":""}`, `{"name":"\u0007"}`, `{"name":"` + strings.Repeat("x", 65) + `"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req createTokenRequest
		if decode(body, &req) != nil {
			return
		}
		name, err := parseCreateToken(req)
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(name); n == 0 || n > 64 || strings.TrimSpace(name) == "" {
			t.Fatalf("name %q accepted", name)
		}
	})
}

func FuzzPasswordBody(f *testing.F) {
	for _, s := range []string{`{"old":"old-password","new":"new-password"}`, `{"old":"","new":"0123456789"}`,
		`{"old":"x","new":"short"}`, `{"new":"` + strings.Repeat("é", 1025) + `","old":"x"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req passwordRequest
		if decode(body, &req) != nil {
			return
		}
		if parsePassword(req) == nil && (req.Old == "" || auth.CheckPasswordPolicy(req.New) != nil) {
			t.Fatalf("accepted %+v", req)
		}
	})
}

func FuzzAuditQuery(f *testing.F) {
	for _, s := range []string{"user=li&limit=10&before=5", "from=2025-03-01T08:00:00%2B08:00&to=2025-03-02T00:00:00Z",
		"limit=0", "before=-1", "camera=" + strings.Repeat("x", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/api/audit", nil)
		r.URL.RawQuery = query
		q, err := parseAuditQuery(r.URL.Query())
		if err == nil && (q.Limit < 1 || q.Limit > maxAuditLimit || q.BeforeSeq < 0) {
			t.Fatalf("accepted %+v", q)
		}
	})
}
