package api

import (
	"testing"
	"time"
)

func TestParseClipRequest(t *testing.T) {
	good := `{"camera":"bjx-nsq-01","from":"2026-03-01T08:00:00+08:00","to":"2026-03-01T08:05:00.5Z","reason":"事件"}`
	req, err := parseClipRequest([]byte(good))
	if err != nil || req.Camera != "bjx-nsq-01" || req.Reason != "事件" ||
		!req.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || req.To.Nanosecond() != 5e8 {
		t.Fatalf("%+v, %v", req, err)
	}
	for _, bad := range []string{``, `{}`, `[`, `{"camera":"c"}`, `{"camera":"c","from":"2026-03-01","to":"2026-03-01T08:00:00Z"}`,
		`{"camera":"c","from":"2026-03-01T08:00:00Z","to":"2026-03-01T08:00:01Z","reason":"r","x":1}`,
		`{"camera":"c","from":"2026-03-01T08:00:00Z","to":"2026-03-01T08:00:01Z","reason":"r"} {}`,
		`{"camera":1,"from":"2026-03-01T08:00:00Z","to":"2026-03-01T08:00:01Z","reason":"r"}`} {
		if _, err := parseClipRequest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// FuzzClipRequest: the decoder never panics, and what it accepts has a
// camera and both times, taken from the body.
func FuzzClipRequest(f *testing.F) {
	for _, s := range []string{
		`{"camera":"bjx-nsq-01","from":"2026-03-01T08:00:00+08:00","to":"2026-03-01T08:05:00Z","reason":"事件"}`,
		`{"camera":"../../etc","from":"0000-01-01T00:00:00Z","to":"9999-12-31T23:59:59.999999999Z","reason":""}`,
		`{"camera":"c","from":"2026-03-01T08:00:00Z","to":"2026-03-01T08:00:00Z","reason":"\u0000"}`,
		`{}`, `[`, ``, `{"camera":"c","extra":1}`, `{"from":"2026-02-30T25:61:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseClipRequest(body)
		if err != nil {
			return
		}
		if req.Camera == "" || req.From.IsZero() || req.To.IsZero() {
			t.Fatalf("accepted an incomplete request: %+v", req)
		}
		if len(req.Camera) > len(body) || len(req.Reason) > len(body) {
			t.Fatalf("decoded more than the body: %+v", req)
		}
	})
}
