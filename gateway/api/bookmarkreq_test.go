package api

import (
	"errors"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/ids"
)

var fuzzNow = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

func FuzzBookmarkRequest(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := parseNewBookmark(body, fuzzNow)
		if err != nil {
			return
		}
		switch {
		case !ids.Valid(b.Camera), b.Title == "", utf8.RuneCountInString(b.Title) > maxBookmarkTitle,
			utf8.RuneCountInString(b.Note) > maxBookmarkNote, !utf8.ValidString(b.Note):
			t.Fatalf("accepted %+v", b)
		case b.To.Before(b.From), b.To.Sub(b.From) > maxBookmarkRange, b.From.After(fuzzNow.Add(bookmarkSkew)):
			t.Fatalf("accepted range %s–%s", b.From, b.To)
		}
	})
}

func FuzzBookmarkQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseBookmarkQuery(v)
		if err != nil {
			return
		}
		if (q.Camera != "" && !ids.Valid(q.Camera)) || (!q.To.IsZero() && q.To.Before(q.From)) {
			t.Fatalf("accepted %+v", q)
		}
	})
}

func TestBookmarkChangeRules(t *testing.T) {
	yes, no := true, false
	note := "n"
	locked := store.Bookmark{Title: "t", CreatedBy: "disp", Locked: true}
	open := store.Bookmark{Title: "t", CreatedBy: "disp"}
	user := func(name string, r auth.Role) auth.User { return auth.User{Name: name, Role: r} }
	cases := []struct {
		name   string
		b      store.Bookmark
		ch     bookmarkChange
		u      auth.User
		forbid bool
	}{
		{"author edits note", open, bookmarkChange{Note: &note}, user("disp", auth.RoleDispatcher), false},
		{"other dispatcher edits", open, bookmarkChange{Note: &note}, user("d2", auth.RoleDispatcher), true},
		{"operator edits another's", open, bookmarkChange{Note: &note}, user("op", auth.RoleOperator), false},
		{"dispatcher locks", open, bookmarkChange{Lock: &yes}, user("disp", auth.RoleDispatcher), true},
		{"operator locks", open, bookmarkChange{Lock: &yes}, user("op", auth.RoleOperator), false},
		{"operator unlocks", locked, bookmarkChange{Lock: &no}, user("op", auth.RoleOperator), true},
		{"admin unlocks", locked, bookmarkChange{Lock: &no}, user("root", auth.RoleAdmin), false},
		{"operator re-locks a locked one", locked, bookmarkChange{Lock: &yes}, user("op", auth.RoleOperator), false},
	}
	for _, c := range cases {
		got, err := c.ch.apply(c.b, c.u, fuzzNow)
		if c.forbid != errors.Is(err, errForbidden) || (!c.forbid && err != nil) {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !c.forbid && c.ch.Lock != nil && got.Locked != *c.ch.Lock {
			t.Errorf("%s: locked %v", c.name, got.Locked)
		}
		if !c.forbid && c.ch.Lock != nil && *c.ch.Lock && !c.b.Locked && (got.LockedBy != c.u.Name || !got.LockedAt.Equal(fuzzNow)) {
			t.Errorf("%s: lock not stamped: %+v", c.name, got)
		}
	}
	if err := mayDelete(locked, user("op", auth.RoleOperator)); err == nil {
		t.Error("an operator deletes a locked bookmark")
	}
	if err := mayDelete(locked, user("root", auth.RoleAdmin)); err != nil {
		t.Error(err)
	}
	if err := mayDelete(open, user("d2", auth.RoleDispatcher)); err == nil {
		t.Error("a dispatcher deletes another's bookmark")
	}
}
