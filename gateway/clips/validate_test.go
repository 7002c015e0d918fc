package clips

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	ok := Request{Camera: "bjx-nsq-01", Exporter: "li", Reason: "  事件 17 \n", From: now.Add(-5 * time.Minute), To: now.Add(time.Minute)}
	got, err := check(ok, now, time.Hour)
	if err != nil || got.Reason != "事件 17" || !got.To.Equal(now) {
		t.Fatalf("check(%+v) = %+v, %v; want the reason trimmed and to ended at now", ok, got, err)
	}
	bad := map[string]func(r *Request){
		"no camera":      func(r *Request) { r.Camera = "" },
		"no reason":      func(r *Request) { r.Reason = " \t" },
		"long reason":    func(r *Request) { r.Reason = strings.Repeat("字", MaxReason+1) },
		"control char":   func(r *Request) { r.Reason = "a\x1bb" },
		"no from":        func(r *Request) { r.From = time.Time{} },
		"before 2000":    func(r *Request) { r.From = time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC) },
		"year 9999":      func(r *Request) { r.To = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) },
		"to before from": func(r *Request) { r.To = r.From.Add(-time.Second) },
		"empty":          func(r *Request) { r.To = r.From },
		"future":         func(r *Request) { r.From, r.To = now.Add(time.Minute), now.Add(2*time.Minute) },
		"too long":       func(r *Request) { r.From = now.Add(-61 * time.Minute) },
	}
	for name, mutate := range bad {
		r := ok
		mutate(&r)
		if _, err := check(r, now, time.Hour); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	r := ok
	r.Reason = strings.Repeat("字", MaxReason)
	if _, err := check(r, now, time.Hour); err != nil {
		t.Errorf("a reason of %d characters: %v", MaxReason, err)
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{"0123456789abcdef": true, "0123456789ABCDEF": false, "../../vigil.db": false,
		"0123456789abcde": false, "0123456789abcdef0": false, "0123456789abcde\x00": false, "": false} {
		if ValidID(id) != want {
			t.Errorf("ValidID(%q) = %v", id, !want)
		}
	}
}
