package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"vigil/streams/playback"
)

func TestParsePlay(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/whep/c?start=2026-03-01T08:00:00Z&speed=0.125", nil)
	p, err := parsePlay(r)
	if err != nil || p == nil || p.speed != 0.125 || !p.start.Equal(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v %v", p, err)
	}
	if p, err := parsePlay(httptest.NewRequest("POST", "/api/whep/c", nil)); p != nil || err != nil {
		t.Fatalf("live: %+v %v", p, err)
	}
	if p, err := parsePlay(httptest.NewRequest("POST", "/api/whep/c?start=2026-03-01T08:00:00Z", nil)); err != nil || p.speed != 1 {
		t.Fatalf("default speed: %+v %v", p, err)
	}
	for _, q := range []string{"speed=1", "start=", "start=now", "start=2026-03-01T08:00:00Z&speed=x",
		"start=2026-03-01T08:00:00Z&speed=16.01", "start=2026-03-01T08:00:00Z&speed=NaN", "start=2026-03-01T08:00:00Z&speed=0"} {
		if p, err := parsePlay(httptest.NewRequest("POST", "/api/whep/c?"+q, nil)); err == nil {
			t.Errorf("%q accepted: %+v", q, p)
		}
	}
}

func TestPlayStatus(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		err  error
		code int
		says string
	}{
		{playback.ErrFuture, http.StatusBadRequest, "future"},
		{playback.ErrSpeed, http.StatusBadRequest, "speed"},
		{&playback.NoRecordingError{At: at}, http.StatusUnprocessableEntity, "nothing recorded for this camera"},
		{&playback.NoRecordingError{At: at, Nearest: at.Add(time.Minute)}, http.StatusUnprocessableEntity, "2026-03-01T08:01:00Z"},
		{errors.New("disk"), http.StatusInternalServerError, "could not"},
	} {
		if code, msg := playStatus(tc.err); code != tc.code || !strings.Contains(msg, tc.says) {
			t.Errorf("%v: %d %q", tc.err, code, msg)
		}
	}
}

// FuzzParsePlay: what parsePlay accepts has a speed a player takes.
func FuzzParsePlay(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string) {
		r, err := http.NewRequest("POST", "http://x/api/whep/c?"+query, nil)
		if err != nil {
			return
		}
		p, err := parsePlay(r)
		if err == nil && p != nil && playback.CheckSpeed(p.speed) != nil {
			t.Fatalf("%q: speed %v accepted", query, p.speed)
		}
	})
}
