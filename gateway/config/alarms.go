package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The alarm types of DESIGN.md "Alarms", in the order the console lists
// them.
const (
	AlarmCameraOffline    = "camera_offline"
	AlarmVideoLoss        = "video_loss"
	AlarmFrozenImage      = "frozen_image"
	AlarmBlackImage       = "black_image"
	AlarmBitrateDrop      = "bitrate_drop"
	AlarmRecordingFailed  = "recording_failed"
	AlarmDiskLow          = "disk_low"
	AlarmTranscoderFailed = "transcoder_failed"
	AlarmNodeDown         = "node_down"
)

// AlarmTypes lists every alarm type.
var AlarmTypes = []string{AlarmCameraOffline, AlarmVideoLoss, AlarmFrozenImage, AlarmBlackImage,
	AlarmBitrateDrop, AlarmRecordingFailed, AlarmDiskLow, AlarmTranscoderFailed, AlarmNodeDown}

// Alarms configures when alarms are raised. A threshold is how long a
// condition must last before its alarm is raised; a station's thresholds
// override the defaults, a camera's override its station's.
type Alarms struct {
	Thresholds Thresholds `yaml:"thresholds"`
	// Diagnosis turns the video-quality diagnosis (frozen and black
	// pictures) on for all cameras (nil = on); DiagnosisPeriod is how
	// often each camera's keyframe is looked at.
	Diagnosis       *bool    `yaml:"diagnosis"`
	DiagnosisPeriod Duration `yaml:"diagnosis_period"`
	// BitrateDropShare: a camera below this share of its own norm (its
	// average since it came online) has a bitrate_drop.
	BitrateDropShare float64 `yaml:"bitrate_drop_share"`
	// DiskLowPercent: the recordings' disk with less free space than
	// this has a disk_low.
	DiskLowPercent float64 `yaml:"disk_low_percent"`
	// ClearAfter is how long a condition must be gone before its alarm
	// clears: a camera flapping within it stays one alarm with a count.
	ClearAfter Duration       `yaml:"clear_after"`
	Stations   []AlarmStation `yaml:"stations"`
	Cameras    []AlarmCamera  `yaml:"cameras"`
}

// Thresholds maps an alarm type to how long its condition must last.
type Thresholds map[string]Duration

// AlarmStation overrides thresholds for a station's cameras.
type AlarmStation struct {
	ID         string     `yaml:"id"`
	Thresholds Thresholds `yaml:"thresholds"`
}

// AlarmCamera overrides thresholds for one camera, and may turn its
// diagnosis off (a camera that looks at a static, dark scene at night).
type AlarmCamera struct {
	ID         string     `yaml:"id"`
	Thresholds Thresholds `yaml:"thresholds"`
	Diagnosis  *bool      `yaml:"diagnosis"`
}

// Alarm defaults.
const (
	DefaultDiagnosisPeriod  = Duration(10 * time.Second)
	DefaultBitrateDropShare = 0.3
	DefaultDiskLowPercent   = 5
	DefaultClearAfter       = Duration(30 * time.Second)
)

// DefaultThresholds are the thresholds when the config gives none.
func DefaultThresholds() Thresholds {
	return Thresholds{
		AlarmCameraOffline: Duration(10 * time.Second), AlarmVideoLoss: Duration(5 * time.Second),
		AlarmFrozenImage: Duration(30 * time.Second), AlarmBlackImage: Duration(30 * time.Second),
		AlarmBitrateDrop: Duration(60 * time.Second), AlarmRecordingFailed: Duration(10 * time.Second),
		AlarmDiskLow: 0, AlarmTranscoderFailed: Duration(10 * time.Second), AlarmNodeDown: 0,
	}
}

func defaultAlarms() Alarms {
	return Alarms{Thresholds: DefaultThresholds(), DiagnosisPeriod: DefaultDiagnosisPeriod,
		BitrateDropShare: DefaultBitrateDropShare, DiskLowPercent: DefaultDiskLowPercent, ClearAfter: DefaultClearAfter}
}

// Threshold returns how long condition typ must last on camera of
// station before its alarm is raised: the camera's, else the station's,
// else the section's, else the default.
func (a Alarms) Threshold(typ, station, camera string) time.Duration {
	for _, c := range a.Cameras {
		if d, ok := c.Thresholds[typ]; ok && c.ID == camera && camera != "" {
			return d.Std()
		}
	}
	for _, s := range a.Stations {
		if d, ok := s.Thresholds[typ]; ok && s.ID == station && station != "" {
			return d.Std()
		}
	}
	if d, ok := a.Thresholds[typ]; ok {
		return d.Std()
	}
	return DefaultThresholds()[typ].Std()
}

// DiagnosisOn reports whether camera's pictures are diagnosed.
func (a Alarms) DiagnosisOn(camera string) bool {
	for _, c := range a.Cameras {
		if c.ID == camera && c.Diagnosis != nil {
			return *c.Diagnosis
		}
	}
	return a.Diagnosis == nil || *a.Diagnosis
}

// alarms checks types, ids and bounds; stations and cameras must exist.
func (k *checker) alarms(a Alarms, stations []Station) {
	k.thresholds("alarms.thresholds", a.Thresholds)
	if a.DiagnosisPeriod < Duration(time.Second) || a.DiagnosisPeriod > Duration(time.Hour) {
		k.add("alarms.diagnosis_period", a.DiagnosisPeriod.String(), "must be between 1s and 1h")
	}
	if a.BitrateDropShare <= 0 || a.BitrateDropShare >= 1 {
		k.add("alarms.bitrate_drop_share", fmt.Sprint(a.BitrateDropShare), "must be between 0 and 1 (a share of the camera's norm)")
	}
	if a.ClearAfter <= 0 || a.ClearAfter > Duration(time.Hour) {
		k.add("alarms.clear_after", a.ClearAfter.String(), "must be positive and at most 1h")
	}
	if a.DiskLowPercent <= 0 || a.DiskLowPercent >= 100 {
		k.add("alarms.disk_low_percent", fmt.Sprint(a.DiskLowPercent), "must be between 0 and 100")
	}
	stationIDs, cameraIDs := map[string]bool{}, map[string]bool{}
	for _, s := range stations {
		stationIDs[s.ID] = true
		for _, c := range s.Cameras {
			cameraIDs[c.ID] = true
		}
	}
	for i, s := range a.Stations {
		p := fmt.Sprintf("alarms.stations[%d]", i)
		if !stationIDs[s.ID] {
			k.add(p+".id", s.ID, "no such station")
		}
		k.thresholds(p+".thresholds", s.Thresholds)
	}
	for i, c := range a.Cameras {
		p := fmt.Sprintf("alarms.cameras[%d]", i)
		if !cameraIDs[c.ID] {
			k.add(p+".id", c.ID, "no such camera")
		}
		k.thresholds(p+".thresholds", c.Thresholds)
	}
}

func (k *checker) thresholds(path string, t Thresholds) {
	keys := make([]string, 0, len(t))
	for typ := range t {
		keys = append(keys, typ)
	}
	slices.Sort(keys) // errors in a stable order
	for _, typ := range keys {
		p := path + "." + typ
		if !slices.Contains(AlarmTypes, typ) {
			k.add(p, typ, "unknown alarm type (want one of %s)", strings.Join(AlarmTypes, ", "))
			continue
		}
		if d := t[typ]; d > Duration(24*time.Hour) {
			k.add(p, d.String(), "must be at most 24h")
		}
	}
}
