package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExampleParses(t *testing.T) {
	t.Parallel()
	cfg, err := Load(filepath.Join("..", "..", "vigil.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cfg.Stations); got != 2 {
		t.Fatalf("stations = %d, want 2", got)
	}
	bjx := cfg.Stations[0]
	if bjx.Cameras[0].Transport != "tcp" || bjx.Cameras[1].Transport != "auto" {
		t.Errorf("transport = %q, %q", bjx.Cameras[0].Transport, bjx.Cameras[1].Transport)
	}
	if bjx.Cameras[2].RecordEnabled() || !bjx.Cameras[1].RecordEnabled() {
		t.Error("record flags not applied")
	}
	if got := bjx.Cameras[1].MainURL(); got != "rtsp://viewer:p%40ss%3Aword%2F1@192.0.2.11:554/Streaming/Channels/101" {
		t.Errorf("hikvision main = %s", got)
	}
	if bjx.Cameras[2].AudioEnabled() || !bjx.Cameras[1].AudioEnabled() {
		t.Error("audio flags not applied")
	}
	gen := bjx.Cameras[3]
	if got := gen.MainURL(); got != "rtsp://viewer:secret@192.0.2.12:8554/live/ch2/main" {
		t.Errorf("generic main = %s", got)
	}
	if got := gen.SubStreamURL(); got != "rtsp://viewer:secret@192.0.2.12:8554/live/ch2/sub" {
		t.Errorf("generic sub = %s", got)
	}
	if len(bjx.Layout.Cameras) != 4 {
		t.Errorf("bjx layout = %+v", bjx.Layout)
	}
	qh := cfg.Stations[1]
	if qh.Layout.Grid != "1" || len(qh.Layout.Cameras) != 1 || qh.Layout.Cameras[0] != "qh-wsq-01" {
		t.Errorf("default layout = %+v", qh.Layout)
	}
	r := cfg.Recording
	if r.Retention.Std() != 7*24*time.Hour || r.MaxBytes != 2e12 || r.PerCameraMaxBytes != 200<<30 || r.MaxClip.Std() != time.Hour {
		t.Errorf("recording = %+v", r)
	}
	if len(cfg.Walls) != 2 || len(cfg.Walls[0].Stations) != 0 || !slices.Equal(cfg.Walls[1].Stations, []string{"bjx"}) ||
		cfg.WebRTC.PublicIPs[0] != "203.0.113.7" {
		t.Errorf("walls/webrtc = %+v %+v", cfg.Walls, cfg.WebRTC)
	}
	if bjx.Cameras[0].Area != "北广场" || bjx.Cameras[3].AreaEN != "Platforms" || cfg.Stations[1].Cameras[0].Area != "西广场" {
		t.Errorf("areas not read: %+v", bjx.Cameras[0])
	}
	if cfg.Line("stations[0].cameras[1].vendor") != 24 {
		t.Errorf("line of vendor = %d", cfg.Line("stations[0].cameras[1].vendor"))
	}
	// The example spells out the transcode defaults.
	tc := cfg.Transcode
	tc.Enabled = nil
	if !cfg.Transcode.On() || tc != newDefaults().Transcode {
		t.Errorf("transcode = %+v, want the defaults %+v", cfg.Transcode, newDefaults().Transcode)
	}
	// And the alarm defaults, with one override each.
	al := cfg.Alarms
	if !reflect.DeepEqual(al.Thresholds, DefaultThresholds()) || al.DiagnosisPeriod != DefaultDiagnosisPeriod ||
		al.BitrateDropShare != DefaultBitrateDropShare || al.DiskLowPercent != DefaultDiskLowPercent || al.ClearAfter != DefaultClearAfter {
		t.Errorf("alarms = %+v, want the defaults", al)
	}
	if al.Threshold(AlarmFrozenImage, "qh", "qh-wsq-01") != time.Minute || al.Threshold(AlarmFrozenImage, "bjx", "bjx-nsq-01") != 30*time.Second {
		t.Error("station threshold not applied")
	}
	if al.DiagnosisOn("bjx-plt-01") || !al.DiagnosisOn("bjx-nsq-01") {
		t.Error("per-camera diagnosis not applied")
	}
	// And the HTTP limits' defaults.
	if cfg.HTTP != newDefaults().HTTP {
		t.Errorf("http = %+v, want the defaults %+v", cfg.HTTP, newDefaults().HTTP)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte("stations:\n  - id: s\n    cameras:\n      - id: c\n        url: rtsp://h/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Recording.Retention != DefaultRetention || cfg.Recording.MaxClip != DefaultMaxClip {
		t.Errorf("recording defaults = %+v", cfg.Recording)
	}
	if len(cfg.Walls) != 1 || !reflect.DeepEqual(cfg.Walls[0], Wall{ID: "main", Name: "主屏"}) {
		t.Errorf("walls = %+v", cfg.Walls)
	}
	s := cfg.Stations[0]
	if s.Name != "s" || s.NameEN != "s" || s.Cameras[0].Name != "c" || s.Layout.Grid != "1" {
		t.Errorf("station defaults = %+v", s)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	cfg := Demo()
	want := []string{"bjx", "bj", "bjn", "bjb", "qh"}
	if len(cfg.Stations) != len(want) {
		t.Fatalf("stations = %d", len(cfg.Stations))
	}
	for i, s := range cfg.Stations {
		if s.ID != want[i] || s.Name == "" || s.NameEN == "" || len(s.Cameras) != 4+len(demoExtras[s.ID]) ||
			s.Layout.Grid != "2x2" || len(s.Layout.Cameras) != 4 {
			t.Errorf("station %d = %+v", i, s)
		}
		for j := range s.Cameras {
			c := &s.Cameras[j]
			if c.URL != "" || !c.RecordEnabled() || !strings.HasPrefix(c.ID, s.ID+"-") {
				t.Errorf("camera %+v", c)
			}
			c.URL = "rtsp://127.0.0.1:8554/cam" // what the gateway fills in
		}
	}
	if cfg.Stations[0].Cameras[0].ID != "bjx-nsq-01" || cfg.Stations[0].Cameras[0].NameEN != "North Square 1" {
		t.Errorf("first camera = %+v", cfg.Stations[0].Cameras[0])
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("demo with URLs filled in does not validate: %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseEmptyIsRefused(t *testing.T) {
	t.Parallel()
	_, err := Parse(nil)
	if err == nil || !strings.Contains(err.Error(), "stations: at least one station is required") {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorsAs(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("stations:\n  - id: BAD\n    cameras: []\n"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Line != 2 || ce.Path != "stations[0].id" {
		t.Fatalf("err = %v (%+v)", err, ce)
	}
}

func TestDemoNamesItsCodecCameras(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, st := range Demo().Stations {
		for _, c := range st.Cameras {
			ids[c.ID] = true
		}
	}
	for _, id := range []string{DemoH265Camera, DemoBFramesCamera} {
		if !ids[id] {
			t.Errorf("demo has no camera %s", id)
		}
	}
}
