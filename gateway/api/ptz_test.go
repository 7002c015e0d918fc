package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"vigil/gateway/ptz"
)

// Every refusal of the PTZ control has its status; a lock names the holder.
func TestPTZErrorStatuses(t *testing.T) {
	until := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		err    error
		status int
	}{
		{ptz.ErrRange, 400}, {ptz.ErrPresetName, 400}, {ptz.ErrNoPTZ, 409},
		{&ptz.LockedError{Holder: ptz.Holder{User: "op", Role: "operator", Until: until}}, 409},
		{ptz.ErrRateLimited, 429}, {&ptz.DeviceError{Err: errors.New("timeout")}, 502}, {ptz.ErrClosed, 503},
	} {
		rec := httptest.NewRecorder()
		writePTZError(rec, tc.err)
		if rec.Code != tc.status {
			t.Errorf("%v: %d, want %d", tc.err, rec.Code, tc.status)
		}
		var body struct {
			Error  string
			Holder *ptz.Holder
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
			t.Errorf("%v: body %s", tc.err, rec.Body)
		}
		var locked *ptz.LockedError
		if errors.As(tc.err, &locked) && (body.Holder == nil || body.Holder.User != "op" || !body.Holder.Until.Equal(until)) {
			t.Errorf("lock without its holder: %s", rec.Body)
		}
		if tc.status == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}
