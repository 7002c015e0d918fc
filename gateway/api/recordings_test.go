package api

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestParseMP4Range(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	start, end, err := parseMP4Range(url.Values{"start": {"2026-03-01T16:00:00+08:00"}, "duration": {"2.5"}})
	if err != nil || !start.Equal(at) || !end.Equal(at.Add(2500*time.Millisecond)) {
		t.Fatalf("%v %v %v", start, end, err)
	}
	for _, q := range []string{"", "start=2026-03-01T08:00:00Z", "start=2026-03-01&duration=1",
		"start=2026-03-01T08:00:00Z&duration=0", "start=2026-03-01T08:00:00Z&duration=-1",
		"start=2026-03-01T08:00:00Z&duration=3600.5", "start=2026-03-01T08:00:00Z&duration=NaN",
		"start=2026-03-01T08:00:00Z&duration=Inf", "start=2026-03-01T08:00:00Z&duration=1e300"} {
		v, _ := url.ParseQuery(q)
		if _, _, err := parseMP4Range(v); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
}

func TestQueryTime(t *testing.T) {
	def := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r := httptest.NewRequest("GET", "/api/recordings/c?from=2026-03-01T08:00:00.5Z&to=x", nil)
	if got, err := queryTime(r, "from", def); err != nil || got.Nanosecond() != 5e8 {
		t.Fatalf("from: %v %v", got, err)
	}
	if _, err := queryTime(r, "to", def); err == nil {
		t.Fatal("to=x accepted")
	}
	if got, err := queryTime(r, "absent", def); err != nil || !got.Equal(def) {
		t.Fatalf("absent: %v %v", got, err)
	}
}

// FuzzMP4Range: any query gives a range of more than 0 and at most an
// hour, or an error.
func FuzzMP4Range(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		start, end, err := parseMP4Range(q)
		if err == nil && (!end.After(start) || end.Sub(start) > maxRecordingMP4) {
			t.Fatalf("%q: %v to %v", query, start, end)
		}
	})
}
