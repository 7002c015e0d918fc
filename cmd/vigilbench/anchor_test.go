package main

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestParseAnchor(t *testing.T) {
	t.Parallel()
	var fl anchorFlags
	for _, spec := range []string{
		"mediamtx=/opt/mediamtx {config}",
		"go2rtc-dev=/opt/go2rtc -config {config}",
		"vigil-old=/tmp/vigil-446c90b",
	} {
		if err := fl.Set(spec); err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
	}
	if fl[1].Kind != "go2rtc" || fl[1].Name != "go2rtc-dev" || strings.Join(fl[1].Command, " ") != "/opt/go2rtc -config {config}" {
		t.Fatalf("parsed %+v", fl[1])
	}
	if fl[2].Kind != "vigil" || len(fl[2].Command) != 1 {
		t.Fatalf("parsed %+v", fl[2])
	}
	for _, bad := range []string{
		"mediamtx", "=/opt/x {config}", "mediamtx=", "nginx=/opt/nginx {config}",
		"mediamtx=/opt/mediamtx", // no {config}: it would run its default config
		"mediamtx=/opt/other {config}",
	} {
		if err := fl.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseAnchorFlags(t *testing.T) {
	t.Parallel()
	c, err := parse([]string{"-anchor", "mediamtx=/m {config}", "-reps", "3", "idle", "fanout"}, nopWriter{})
	if err != nil || len(c.anchors) != 1 || c.reps != 3 {
		t.Fatalf("parsed %+v, %v", c, err)
	}
	if _, err := parse([]string{"-anchor", "mediamtx=/m {config}", "-url", "http://h/{cam}", "ingest"}, nopWriter{}); err == nil {
		t.Error("-anchor with -url accepted")
	}
	if _, err := parse([]string{"-anchor", "mediamtx=/m {config}", "-reps", "0", "ingest"}, nopWriter{}); err == nil {
		t.Error("-reps 0 accepted")
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestAnchorConfigs: each anchor's config is valid YAML that pulls every
// camera at start from the cameras' address and serves WebRTC where the
// WHEP template points.
func TestAnchorConfigs(t *testing.T) {
	t.Parallel()
	var mtx struct {
		WebRTCAddress string `yaml:"webrtcAddress"`
		UDP           string `yaml:"webrtcLocalUDPAddress"`
		Paths         map[string]struct {
			Source   string `yaml:"source"`
			OnDemand bool   `yaml:"sourceOnDemand"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal([]byte(mediamtxConfig("127.0.0.1:9554", 3, "127.0.0.1:9889", "127.0.0.1:9189")), &mtx); err != nil {
		t.Fatal(err)
	}
	if mtx.WebRTCAddress != "127.0.0.1:9889" || mtx.UDP != "127.0.0.1:9189" || len(mtx.Paths) != 3 ||
		mtx.Paths["cam2"].Source != "rtsp://127.0.0.1:9554/cam2" || mtx.Paths["cam2"].OnDemand {
		t.Fatalf("mediamtx config %+v", mtx)
	}
	var g2r struct {
		API    struct{ Listen string }
		WebRTC struct {
			Listen     string
			Candidates []string
			Filters    struct{ Loopback bool }
		} `yaml:"webrtc"`
		Streams map[string]string
		Preload map[string]string
	}
	if err := yaml.Unmarshal([]byte(go2rtcConfig("127.0.0.1:9554", 3, "127.0.0.1:9984", "127.0.0.1:9555")), &g2r); err != nil {
		t.Fatal(err)
	}
	if g2r.API.Listen != "127.0.0.1:9984" || g2r.WebRTC.Listen != "127.0.0.1:9555/udp" || !g2r.WebRTC.Filters.Loopback ||
		len(g2r.Streams) != 3 || g2r.Streams["cam1"] != "rtsp://127.0.0.1:9554/cam1" || len(g2r.Preload) != 3 {
		t.Fatalf("go2rtc config %+v", g2r)
	}
	if got := whepURL(strings.ReplaceAll(anchorKinds["go2rtc"].whep, "{http}", "h:1"), "cam1"); got != "http://h:1/api/webrtc?src=cam1" {
		t.Errorf("go2rtc WHEP URL %s", got)
	}
}
