package config

import "time"

// Default values that are not zero values.
const (
	DefaultRetention = Duration(168 * time.Hour)
	DefaultMaxClip   = Duration(time.Hour)
	DefaultRTSPPort  = 554
	DefaultChannel   = 1
	DefaultTransport = "auto"
	DefaultWallID    = "main"
	DefaultWallName  = "主屏"
)

// newDefaults returns the config that decoding starts from; keys present in
// the file overwrite these, so an explicit value (even an invalid one) wins.
func newDefaults() *Config {
	return &Config{
		Recording: Recording{
			Retention: DefaultRetention,
			MaxClip:   DefaultMaxClip,
		},
		Transcode: Transcode{
			FFmpeg: DefaultFFmpeg,
			Linger: DefaultLinger,
		},
		HTTP:   defaultHTTP(),
		Alarms: defaultAlarms(),
	}
}

// applyItemDefaults fills defaults inside list items, which cannot be
// pre-populated before decoding because the lists do not exist yet.
func (c *Config) applyItemDefaults() {
	for i := range c.Stations {
		s := &c.Stations[i]
		if s.Name == "" {
			s.Name = s.ID
		}
		if s.NameEN == "" {
			s.NameEN = s.Name
		}
		for j := range s.Cameras {
			s.Cameras[j].applyDefaults()
		}
		s.Layout.applyDefaults(s.Cameras)
	}
	if len(c.Walls) == 0 {
		c.Walls = []Wall{{ID: DefaultWallID, Name: DefaultWallName}}
	}
	for i := range c.Walls {
		if c.Walls[i].Name == "" {
			c.Walls[i].Name = c.Walls[i].ID
		}
	}
}

func (cam *Camera) applyDefaults() {
	if cam.Name == "" {
		cam.Name = cam.ID
	}
	if cam.NameEN == "" {
		cam.NameEN = cam.Name
	}
	if cam.Transport == "" {
		cam.Transport = DefaultTransport
	}
	if !cam.builtFromHost() {
		return
	}
	if cam.Port == 0 {
		cam.Port = DefaultRTSPPort
	}
	// A generic camera's channel only means something in a path that
	// holds {channel}; left at 0 otherwise so a stray channel is refused.
	if cam.Channel == 0 && (cam.Vendor != VendorGeneric || cam.usesChannel()) {
		cam.Channel = DefaultChannel
	}
}

// applyDefaults completes a station's default layout: a missing grid is the
// smallest square that fits, missing cameras are the station's first ones.
func (l *Layout) applyDefaults(cams []Camera) {
	if l.Grid == "" {
		n := len(l.Cameras)
		if n == 0 {
			n = len(cams)
		}
		l.Grid = smallestSquareGrid(n)
	}
	if len(l.Cameras) == 0 {
		capacity := GridCapacity(l.Grid)
		for i := 0; i < len(cams) && i < capacity; i++ {
			l.Cameras = append(l.Cameras, cams[i].ID)
		}
	}
}
