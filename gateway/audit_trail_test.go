package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"vigil/gateway/auth"
)

func TestAuditTrail(t *testing.T) {
	g := startTestGateway(t, twoStations)
	g.createUser("li", auth.RoleOperator)
	li := g.login("li", userPassword)
	g.anon().do("POST", "/api/session", map[string]string{"username": "li", "password": "wrong-password"})

	// A WHEP view, started and ended.
	tw := &testWalk{testGateway: g}
	resp, _ := li.do("POST", "/api/whep/bjn-hall-01?quality=sub", tw.whepOffer())
	if resp.StatusCode != 201 {
		t.Fatalf("whep: %s", resp.Status)
	}
	li.must(200, "DELETE", resp.Header.Get("Location"), nil, nil)
	// A console tile view.
	ws := dialConsole(t, g.URL(), li.token, "")
	ws.negotiate(t)
	ws.send(t, map[string]any{"type": "assign", "tile": 2, "camera": "bjx-nsq-01"})
	ws.waitFor(t, "tile 2", func(m map[string]any) bool { return m["type"] == "tile" && m["tile"] == float64(2) })
	ws.send(t, map[string]any{"type": "clear", "tile": 2})
	ws.waitFor(t, "idle", isTile(2, "idle"))
	// A wall push, token and password changes, logout.
	li.must(200, "PUT", "/api/walls/main", map[string]any{"grid": "1", "cameras": []string{"bjn-hall-01"}}, nil)
	var tok struct{ ID string }
	li.must(201, "POST", "/api/tokens", map[string]string{"name": "t"}, &tok)
	li.must(204, "DELETE", "/api/tokens/"+tok.ID, nil, nil)
	li.must(204, "PUT", "/api/session/password", map[string]string{"old": userPassword, "new": "li-new-password"}, nil)
	li.must(204, "DELETE", "/api/session", nil, nil)

	want := []struct {
		user, action, camera string
		detail               map[string]any
	}{
		{"", "config.load", "", map[string]any{"stations": float64(2), "cameras": float64(2)}},
		{"admin", "login", "", map[string]any{"ip": "127.0.0.1"}},
		{"admin", "user.create", "", map[string]any{"target": "li", "role": "operator"}},
		{"li", "login", "", nil},
		{"li", "login.failed", "", map[string]any{"reason": "bad_credentials"}},
		{"li", "view.start", "bjn-hall-01", map[string]any{"via": "whep", "quality": "sub"}},
		{"li", "view.end", "bjn-hall-01", map[string]any{"via": "whep"}},
		{"li", "view.start", "bjx-nsq-01", map[string]any{"via": "tile", "tile": float64(2)}},
		{"li", "view.end", "bjx-nsq-01", map[string]any{"via": "tile", "tile": float64(2)}},
		{"li", "wall.set", "", map[string]any{"wall": "main"}},
		{"li", "token.create", "", map[string]any{"token": tok.ID}},
		{"li", "token.revoke", "", map[string]any{"token": tok.ID}},
		{"li", "password.change", "", map[string]any{"ok": true}},
		{"li", "logout", "", nil},
	}
	list := g.auditEntries("")
	// Oldest first, as they happened.
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	i := 0
	for _, e := range list {
		if i < len(want) && e.User == want[i].user && e.Action == want[i].action && e.Camera == want[i].camera &&
			detailHas(e.Detail, want[i].detail) {
			i++
		}
	}
	if i < len(want) {
		t.Fatalf("audit log lacks %+v (in order):%s", want[i], fmtEntries(list))
	}
	for _, e := range list {
		if e.Action == "view.end" && e.Detail["duration_s"] == nil {
			t.Errorf("view end without duration: %+v", e)
		}
	}

	// Filters and paging.
	views := g.auditEntries("camera=bjn-hall-01")
	if len(views) != 2 || views[0].Action != "view.end" {
		t.Fatalf("camera filter:%s", fmtEntries(views))
	}
	var page struct {
		Entries    []auditEntry
		NextBefore int64 `json:"next_before"`
	}
	g.admin.must(200, "GET", "/api/audit?user=li&limit=3", nil, &page)
	first := page.Entries
	if len(first) != 3 || page.NextBefore != first[2].Seq {
		t.Fatalf("page 1: %+v", page)
	}
	var page2 struct{ Entries []auditEntry }
	g.admin.must(200, "GET", fmt.Sprintf("/api/audit?user=li&limit=3&before=%d", page.NextBefore), nil, &page2)
	if len(page2.Entries) != 3 || page2.Entries[0].Seq >= first[2].Seq {
		t.Fatalf("page 2: %+v after %+v", page2, first)
	}
	var none struct {
		Entries    []auditEntry
		NextBefore int64 `json:"next_before"`
	}
	future := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
	g.admin.must(200, "GET", "/api/audit?from="+future, nil, &none)
	if len(none.Entries) != 0 || none.NextBefore != 0 {
		t.Fatalf("from the future: %+v", none)
	}
	for _, q := range []string{"limit=0", "limit=1001", "before=-1", "from=yesterday", "to=2025-13-01T00:00:00Z"} {
		g.admin.must(http.StatusBadRequest, "GET", "/api/audit?"+q, nil, nil)
	}

	// The chain holds.
	if err := g.openStore().VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// detailHas reports whether d has every key of want with its value.
func detailHas(d, want map[string]any) bool {
	for k, v := range want {
		if d[k] != v {
			return false
		}
	}
	return true
}
