package config

import (
	"slices"
	"strings"
	"time"
)

// Transcode configures the ffmpeg transcoders the gateway starts on demand
// for streams a browser cannot play as they are (H.265 video, AAC audio).
type Transcode struct {
	Enabled *bool    `yaml:"enabled"` // nil = true
	FFmpeg  string   `yaml:"ffmpeg"`  // binary path or a name looked up in PATH; default "ffmpeg"
	HWAccel string   `yaml:"hwaccel"` // "" (software libx264), "vaapi", "nvenc" or "qsv"
	Linger  Duration `yaml:"linger"`  // how long an unused transcoder keeps running; default 10s; must be positive and at most 10m
}

// Transcode defaults and bounds.
const (
	DefaultFFmpeg = "ffmpeg"
	DefaultLinger = Duration(10 * time.Second)
	MaxLinger     = Duration(10 * time.Minute)
)

// hwAccels are the accepted hwaccel values; "" is software encoding.
var hwAccels = []string{"", "vaapi", "nvenc", "qsv"}

const hwAccelRule = `must be "" (software libx264), vaapi, nvenc or qsv`

// On reports whether transcoding is enabled; it is unless the config says
// enabled: false.
func (t Transcode) On() bool {
	return t.Enabled == nil || *t.Enabled
}

// transcode checks the section even when it is disabled, so turning it on
// later cannot reveal a mistake made now. Whether the ffmpeg binary exists is
// not checked: a missing ffmpeg is a camera's runtime state, not a config
// error.
func (k *checker) transcode(t Transcode) {
	switch {
	case t.FFmpeg == "":
		k.add("transcode.ffmpeg", "", "must not be empty (default %s)", DefaultFFmpeg)
	case strings.ContainsAny(t.FFmpeg, "\r\n\x00"):
		k.add("transcode.ffmpeg", t.FFmpeg, "must not contain a line break or NUL")
	}
	if !slices.Contains(hwAccels, t.HWAccel) {
		k.add("transcode.hwaccel", t.HWAccel, hwAccelRule)
	}
	switch {
	case t.Linger <= 0:
		k.add("transcode.linger", t.Linger.String(), "must be positive")
	case t.Linger > MaxLinger:
		k.add("transcode.linger", t.Linger.String(), "must be at most %s", MaxLinger)
	}
}
