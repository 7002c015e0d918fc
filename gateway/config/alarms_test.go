package config

import (
	"testing"
	"time"
)

func TestAlarmThresholdsOverride(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(goodStation + `alarms:
  thresholds: {frozen_image: 5s}
  stations:
    - id: bjx
      thresholds: {video_loss: 2s, frozen_image: 8s}
  cameras:
    - id: bjx-nsq-01
      thresholds: {frozen_image: 3s}
      diagnosis: false
`))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alarms
	for _, c := range []struct {
		typ, station, camera string
		want                 time.Duration
	}{
		{AlarmFrozenImage, "bjx", "bjx-nsq-01", 3 * time.Second}, // camera
		{AlarmFrozenImage, "bjx", "bjx-nsq-02", 8 * time.Second}, // station
		{AlarmFrozenImage, "qh", "qh-1", 5 * time.Second},        // section
		{AlarmCameraOffline, "qh", "qh-1", 10 * time.Second},     // default kept beside the section's
		{AlarmVideoLoss, "bjx", "bjx-nsq-01", 2 * time.Second},
	} {
		if got := a.Threshold(c.typ, c.station, c.camera); got != c.want {
			t.Errorf("%s at %s/%s: %v, want %v", c.typ, c.station, c.camera, got, c.want)
		}
	}
	if a.DiagnosisOn("bjx-nsq-01") || !a.DiagnosisOn("bjx-nsq-02") {
		t.Error("diagnosis switch")
	}
}

func TestAlarmConfigRefused(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"unknown type", goodStation + "alarms:\n  thresholds:\n    smoke: 5s\n",
			`line 9: alarms.thresholds.smoke "smoke": unknown alarm type`},
		{"unknown type of a camera", goodStation + "alarms:\n  cameras:\n    - id: bjx-nsq-01\n      thresholds: {fire: 1s}\n",
			`line 10: alarms.cameras[0].thresholds.fire "fire": unknown alarm type`},
		{"unknown camera", goodStation + "alarms:\n  cameras:\n    - id: bjx-nsq-99\n      diagnosis: false\n",
			`line 9: alarms.cameras[0].id "bjx-nsq-99": no such camera`},
		{"unknown station", goodStation + "alarms:\n  stations:\n    - id: xx\n",
			`line 9: alarms.stations[0].id "xx": no such station`},
		{"bad period", goodStation + "alarms:\n  diagnosis_period: 100ms\n",
			`line 8: alarms.diagnosis_period "100ms": must be between 1s and 1h`},
		{"bad share", goodStation + "alarms:\n  bitrate_drop_share: 1.5\n",
			`line 8: alarms.bitrate_drop_share "1.5": must be between 0 and 1`},
		{"bad disk", goodStation + "alarms:\n  disk_low_percent: 0\n", `alarms.disk_low_percent "0": must be between 0 and 100`},
		{"long threshold", goodStation + "alarms:\n  thresholds: {video_loss: 48h}\n", `alarms.thresholds.video_loss "48h0m0s": must be at most 24h`},
		{"bad clear", goodStation + "alarms:\n  clear_after: 0s\n", `line 8: alarms.clear_after "0s": must be positive`},
		{"unknown key", goodStation + "alarms:\n  sound: true\n", `line 8`},
	})
}
