package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway/api"
	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/gateway/store"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/record"
)

// recorders is the recording state the API reports: only bj-1 is recorded.
type recorders struct{}

func (recorders) State(camera string) (record.RecState, bool) {
	if camera != "bj-1" {
		return record.RecState{}, false
	}
	return record.RecState{State: record.StateRecording, Since: time.Unix(1_800_000_000, 0)}, true
}

// cameraStack serves the API over a real store and a catalog of two
// stations whose hubs the test drives.
type cameraStack struct {
	url string
	cat *catalog.Catalog
	svc *auth.Service
}

// newCameraStack builds the stack; with, if given, adds dependencies to
// the API's options.
func newCameraStack(t *testing.T, with ...func(*api.Options)) *cameraStack {
	t.Helper()
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "vigil.db"), store.DefaultBusyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := auth.New(auth.Options{Store: st, Params: lightParams, Log: quiet, HashSlots: 2, HashWait: time.Minute})
	al := audit.New(audit.Options{Store: st, Logger: quiet})
	t.Cleanup(al.Close)
	cam := func(id, station string) *catalog.Camera {
		return &catalog.Camera{ID: id, Station: station, Name: id, Record: station == "bj",
			MainURL: "rtsp://admin:camera-secret-7@192.0.2.7:554/" + id, MainHub: hub.New(hub.Options{ID: id})}
	}
	cat := catalog.New([]*catalog.Station{
		{ID: "bjx", Name: "北京西站", Cameras: []*catalog.Camera{cam("bjx-1", "bjx")}},
		{ID: "bj", Name: "北京站", Cameras: []*catalog.Camera{cam("bj-1", "bj")}},
	}, nil)
	opts := api.Options{Users: svc, Accounts: svc, Audit: al, Catalog: cat, Recorders: recorders{}, Logger: quiet}
	for _, add := range with {
		add(&opts)
	}
	srv := httptest.NewServer(api.New(opts))
	t.Cleanup(srv.Close)
	return &cameraStack{url: srv.URL, cat: cat, svc: svc}
}

// login creates a user limited to stations and returns its bearer token.
func (s *cameraStack) login(t *testing.T, name string, stations ...string) string {
	t.Helper()
	if _, err := s.svc.CreateUser(context.Background(), name, rightPassword, auth.RoleDispatcher, stations); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(s.url+"/api/session", "application/json",
		strings.NewReader(`{"username":"`+name+`","password":"`+rightPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %s %v", name, resp.Status, err)
	}
	return out.Token
}

func (s *cameraStack) get(t *testing.T, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestStationsShowOnlyTheUsersStations(t *testing.T) {
	s := newCameraStack(t)
	token := s.login(t, "li", "bj")
	code, body := s.get(t, token, "/api/stations")
	var got struct {
		Stations []struct {
			ID      string
			Cameras []struct{ ID string }
		}
	}
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/stations: %d %v %s", code, err, body)
	}
	if len(got.Stations) != 1 || got.Stations[0].ID != "bj" || len(got.Stations[0].Cameras) != 1 {
		t.Fatalf("stations %+v, want bj alone", got.Stations)
	}
	if strings.Contains(body, "camera-secret-7") || strings.Contains(body, "rtsp://") {
		t.Fatalf("the station list leaks a camera URL: %s", body)
	}
	if code, _ := s.get(t, "", "/api/stations"); code != http.StatusUnauthorized {
		t.Fatalf("anonymous GET /api/stations: %d, want 401", code)
	}
}

func TestCameraOfAnotherStationIsNotFound(t *testing.T) {
	s := newCameraStack(t)
	token := s.login(t, "li", "bj")
	hidden, hiddenBody := s.get(t, token, "/api/cameras/bjx-1")
	missing, missingBody := s.get(t, token, "/api/cameras/no-such-camera")
	if hidden != http.StatusNotFound || missing != http.StatusNotFound || hiddenBody != missingBody {
		t.Fatalf("hidden camera %d %q, missing camera %d %q: want the same 404", hidden, hiddenBody, missing, missingBody)
	}
}

func TestCameraReportsItsHubAndRecorder(t *testing.T) {
	s := newCameraStack(t)
	token := s.login(t, "li")
	cam, _ := s.cat.Camera("bj-1")
	cam.MainHub.SetStatus(hub.Status{State: hub.StateOnline, Message: "camera refused rtsp://admin:camera-secret-7@192.0.2.7",
		Track: media.Track{Codec: media.CodecH264, Width: 1280, Height: 720}})
	code, body := s.get(t, token, "/api/cameras/bj-1")
	var got struct {
		State, Codec string
		Width        int
		Recording    *struct{ State string }
	}
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil {
		t.Fatalf("GET /api/cameras/bj-1: %d %v %s", code, err, body)
	}
	if got.State != "online" || got.Codec != "H264" || got.Width != 1280 || got.Recording == nil || got.Recording.State != "recording" {
		t.Fatalf("camera %s", body)
	}
	if strings.Contains(body, "camera-secret-7") {
		t.Fatalf("the camera answer leaks a credential: %s", body)
	}
	if _, body := s.get(t, token, "/api/cameras/bjx-1"); strings.Contains(body, `"recording"`) {
		t.Fatalf("an unrecorded camera reports a recorder: %s", body)
	}
}
