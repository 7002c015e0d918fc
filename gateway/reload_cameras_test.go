package gateway

import (
	"reflect"
	"testing"

	"vigil/gateway/config"
)

func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const planBase = `stations:
  - id: bjx
    cameras:
      - id: same
        url: rtsp://192.0.2.1/same
      - id: moved-url
        url: rtsp://192.0.2.1/a
      - id: renamed
        url: rtsp://192.0.2.1/r
      - id: gets-sub
        url: rtsp://192.0.2.1/s
      - id: stops-recording
        url: rtsp://192.0.2.1/x
      - id: leaves
        url: rtsp://192.0.2.1/l
`

const planNext = `stations:
  - id: bjx
    cameras:
      - id: same
        url: rtsp://192.0.2.1/same
      - id: moved-url
        url: rtsp://192.0.2.1/b
      - id: renamed
        name: 北广场
        url: rtsp://192.0.2.1/r
      - id: gets-sub
        url: rtsp://192.0.2.1/s
        sub_url: rtsp://192.0.2.1/s2
      - id: stops-recording
        url: rtsp://192.0.2.1/x
        record: false
      - id: arrives
        url: rtsp://192.0.2.1/n
  - id: qh
    cameras:
      - id: qh-1
        url: rtsp://192.0.2.1/q
`

func TestPlanCameras(t *testing.T) {
	p := planCameras(parseConfig(t, planBase), parseConfig(t, planNext))
	want := cameraPlan{
		added: []string{"arrives", "qh-1"}, removed: []string{"leaves"},
		restarted: []string{"moved-url", "stops-recording"}, reshaped: []string{"gets-sub"}, updated: []string{"renamed"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("plan\n %+v\nwant\n %+v", p, want)
	}
	got := stationChanges(parseConfig(t, planBase), parseConfig(t, planNext))
	if !reflect.DeepEqual(got, []string{"station bjx updated", "station qh added"}) {
		t.Fatalf("stations: %v", got)
	}
	if p := planCameras(parseConfig(t, planBase), parseConfig(t, planBase)); !reflect.DeepEqual(p, cameraPlan{}) {
		t.Fatalf("same config: %+v", p)
	}
}

func TestRestartOnly(t *testing.T) {
	old := parseConfig(t, planBase)
	if err := restartOnly(old, parseConfig(t, planNext), false); err != nil {
		t.Fatalf("camera changes on a single node: %v", err)
	}
	if err := restartOnly(old, parseConfig(t, planNext), true); err == nil {
		t.Fatal("camera changes in a cluster accepted")
	}
	if err := restartOnly(old, parseConfig(t, planBase+"http:\n  max_whep_per_user: 3\n"), false); err == nil {
		t.Fatal("an http change accepted")
	}
}
