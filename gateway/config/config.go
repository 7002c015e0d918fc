// Package config loads, defaults and validates the gateway's YAML config.
//
// The pipeline is: defaults, strict decode (unknown keys are errors), per-item
// defaults, then Validate. Every error names the line and the key path so an
// operator can fix a refused config without guessing.
package config

import (
	"errors"
	"fmt"
	"os"
)

// maxFileSize bounds what Load reads; a real config is a few kilobytes.
const maxFileSize = 4 << 20

// Config is the whole gateway configuration.
type Config struct {
	Stations  []Station `yaml:"stations"`
	Recording Recording `yaml:"recording"`
	WebRTC    WebRTC    `yaml:"webrtc"`
	Walls     []Wall    `yaml:"walls"`
	Transcode Transcode `yaml:"transcode"`
	Cluster   Cluster   `yaml:"cluster"`
	HTTP      HTTP      `yaml:"http"`
	Alarms    Alarms    `yaml:"alarms"`
	// Webhooks and Rules react to alarms (webhooks.go, rules.go).
	Webhooks []Webhook `yaml:"webhooks"`
	Rules    []Rule    `yaml:"rules"`

	// lines maps key paths ("stations[0].cameras[1].id") to the line they
	// were read from, so Validate can point at the offending line.
	lines map[string]int
}

// Station is one station area with its cameras and default layout.
type Station struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	NameEN  string   `yaml:"name_en"`
	Cameras []Camera `yaml:"cameras"`
	Layout  Layout   `yaml:"layout"`
	// Nodes may own the station's cameras, in order of preference (cluster).
	Nodes []string `yaml:"nodes"`
}

// Camera is one camera, given either by raw URL or by vendor and host. With
// vendor generic, Path and SubPath complete the URL built from the host.
type Camera struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	NameEN string `yaml:"name_en"`
	// Area is where in the station the camera looks (a square, hall,
	// platform, entrance): a level of the console's tree.
	Area     string `yaml:"area"`
	AreaEN   string `yaml:"area_en"`
	URL      string `yaml:"url"`
	SubURL   string `yaml:"sub_url"`
	Vendor   string `yaml:"vendor"`
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Channel  int    `yaml:"channel"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// PasswordFile holds the password instead (a mounted secret); read
	// once at load, its trailing newline dropped.
	PasswordFile string `yaml:"password_file"`
	Path         string `yaml:"path"`      // vendor generic + host: main stream path, may hold {channel}
	SubPath      string `yaml:"sub_path"`  // vendor generic + host: sub stream path; "" = no sub stream
	Transport    string `yaml:"transport"` // auto, tcp or udp
	Record       *bool  `yaml:"record"`    // nil: record (the default)
	Audio        *bool  `yaml:"audio"`     // nil: pull the camera's audio (the default)
	// ONVIF, instead of url or vendor + host, names the camera's ONVIF
	// device: its stream URIs come from the device when its stream starts,
	// and a dome's PTZ is controlled through it (onvif.go).
	ONVIF *ONVIF `yaml:"onvif"`
}

// Layout is a grid and the cameras shown in it, in tile order.
type Layout struct {
	Grid    string   `yaml:"grid"`
	Cameras []string `yaml:"cameras"`
}

// Recording bounds what the recorder keeps on disk.
type Recording struct {
	Retention         Duration `yaml:"retention"`            // how long segments are kept
	MaxBytes          ByteSize `yaml:"max_bytes"`            // total on disk, 0 = no limit
	PerCameraMaxBytes ByteSize `yaml:"per_camera_max_bytes"` // per camera, 0 = no limit
	MaxClip           Duration `yaml:"max_clip"`             // longest exportable clip
}

// WebRTC holds the settings the ICE agent cannot discover itself.
type WebRTC struct {
	// PublicIPs are announced as host candidates when the gateway sits
	// behind a 1:1 NAT.
	PublicIPs []string `yaml:"public_ips"`
}

// Wall is a video wall that follows a layout chosen by operators.
type Wall struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Stations are the stations the wall serves; empty for all. A user
	// scoped to some stations sees and controls only the walls whose
	// stations are all among his.
	Stations []string `yaml:"stations"`
}

// RecordEnabled reports whether the camera is recorded; cameras record
// unless the config says record: false.
func (c Camera) RecordEnabled() bool {
	return c.Record == nil || *c.Record
}

// AudioEnabled reports whether the camera's audio is pulled; it is unless
// the config says audio: false.
func (c Camera) AudioEnabled() bool {
	return c.Audio == nil || *c.Audio
}

// Load reads, decodes and validates the config file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("config %s: larger than %d bytes", path, maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes and validates a config document.
func Parse(data []byte) (*Config, error) {
	cfg := newDefaults()
	if err := decodeStrict(data, cfg); err != nil {
		return nil, err
	}
	cfg.applyItemDefaults()
	if err := errors.Join(cfg.readSecretFiles(), cfg.readWebhookSecrets()); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Line returns the line a key path was read from, 0 when unknown (for
// example for configs built in code, or keys filled in by defaults).
func (c *Config) Line(path string) int {
	return c.lines[path]
}
