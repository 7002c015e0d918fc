package config

import "testing"

// genericCam starts a second camera of goodStation, vendor generic with a
// host, at line 7; the lines after it are 10, 11, ...
const genericCam = goodStation + "      - id: c2\n        vendor: generic\n        host: 192.0.2.9\n"

func TestBadCameraConfigs(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"generic host without path", genericCam,
			`line 7: stations[0].cameras[1].path: required with vendor generic + host`},
		{"generic url and host", goodStation + "      - id: c2\n        vendor: generic\n        url: rtsp://h/\n        host: h\n",
			`line 10: stations[0].cameras[1].host: url and host are mutually exclusive`},
		{"plain url and host", goodStation + "        host: h\n",
			`line 7: stations[0].cameras[0].host: url and host are mutually exclusive`},
		{"host without vendor", goodStation + "      - id: c2\n        host: h\n",
			`line 8: stations[0].cameras[1].host: needs vendor hikvision, dahua, uniview or generic (or give url instead)`},
		{"path without slash", genericCam + "        path: live/main\n",
			`line 10: stations[0].cameras[1].path "live/main": must start with /`},
		{"sub_path without slash", genericCam + "        path: /main\n        sub_path: sub\n",
			`line 11: stations[0].cameras[1].sub_path "sub": must start with /`},
		{"path that names a host", genericCam + "        path: //other/live\n",
			`line 10: stations[0].cameras[1].path "//other/live": must start with a single /`},
		{"path with fragment", genericCam + "        path: /live#main\n",
			`line 10: stations[0].cameras[1].path "/live#main": must not contain #`},
		{"unknown placeholder", genericCam + "        path: /live/{ch}\n",
			`line 10: stations[0].cameras[1].path "/live/{ch}": only {channel} is replaced`},
		{"bad escape in path", genericCam + "        path: /live%zz\n",
			`line 10: stations[0].cameras[1].path "/live%zz": not a valid URL path`},
		{"control character in sub_path", genericCam + "        path: /a\n        sub_path: \"/b\\tc\"\n",
			`line 11: stations[0].cameras[1].sub_path "/b\tc": not a valid URL path`},
		{"credentials in path query masked", genericCam + "        path: \"live?user=admin&pwd=hunter2\"\n",
			`line 10: stations[0].cameras[1].path "live?user=***&pwd=***": must start with /`},
		{"credentials in path parameters masked", genericCam + "        path: \"user=admin&password=hunter2&channel=1\"\n",
			`line 10: stations[0].cameras[1].path "user=***&password=***&channel=1": must start with /`},
		{"channel without placeholder", genericCam + "        path: /live\n        channel: 2\n",
			`line 11: stations[0].cameras[1].channel: only used when path or sub_path contains {channel}`},
		{"channel out of range", genericCam + "        path: /ch{channel}\n        channel: 1000\n",
			`line 11: stations[0].cameras[1].channel: must be 1-999, got 1000`},
		{"generic port out of range", genericCam + "        path: /live\n        port: 65536\n",
			`line 11: stations[0].cameras[1].port: must be 1-65535, got 65536`},
		{"generic bad host", goodStation + "      - id: c2\n        vendor: generic\n        host: \"a b\"\n        path: /live\n",
			`line 9: stations[0].cameras[1].host "a b": must be a host name or IP address`},
		{"generic host with sub_url", genericCam + "        path: /live\n        sub_url: rtsp://h/sub\n",
			`line 11: stations[0].cameras[1].sub_url: only used with url; with host, give sub_path`},
		{"path with vendor", goodStation + "      - id: c2\n        vendor: hikvision\n        host: h\n        path: /live\n",
			`line 10: stations[0].cameras[1].path: only used with vendor generic; vendor hikvision builds its own`},
		{"sub_path with vendor", goodStation + "      - id: c2\n        vendor: dahua\n        host: h\n        sub_path: /sub\n",
			`line 10: stations[0].cameras[1].sub_path: only used with vendor generic; vendor dahua builds its own`},
		{"path with url", goodStation + "        path: /live\n",
			`line 7: stations[0].cameras[0].path: only used with vendor generic + host; with url, put it in the url`},
		{"sub_path with generic url", goodStation + "      - id: c2\n        vendor: generic\n        url: rtsp://h/\n        sub_path: /sub\n",
			`line 10: stations[0].cameras[1].sub_path: only used with vendor generic + host`},
		{"audio not bool", goodStation + "        audio: maybe\n",
			`line 7: stations[0].cameras[0].audio: expected true or false, got a string`},
	})
}

func TestGenericCameraDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml          string
		port, channel int
		main, sub     string
		audio         bool
	}{
		// No {channel}: the channel stays unset, no sub stream without sub_path.
		{genericCam + "        path: /stream1\n", 554, 0,
			"rtsp://192.0.2.9:554/stream1", "", true},
		// With {channel}: channel defaults to 1.
		{genericCam + "        path: /ch{channel}/main\n        sub_path: /ch{channel}/sub\n        audio: false\n", 554, 1,
			"rtsp://192.0.2.9:554/ch1/main", "rtsp://192.0.2.9:554/ch1/sub", false},
		// Generic with url stays as before: no port or channel filled in.
		{goodStation + "      - id: c2\n        vendor: generic\n        url: rtsp://h/g\n        audio: true\n", 0, 0,
			"rtsp://h/g", "", true},
	}
	for _, tt := range tests {
		cfg, err := Parse([]byte(tt.yaml))
		if err != nil {
			t.Errorf("%s: %v", tt.yaml, err)
			continue
		}
		c := cfg.Stations[0].Cameras[1]
		if c.Port != tt.port || c.Channel != tt.channel || c.AudioEnabled() != tt.audio {
			t.Errorf("%s: port %d channel %d audio %v", tt.yaml, c.Port, c.Channel, c.AudioEnabled())
		}
		if c.MainURL() != tt.main || c.SubStreamURL() != tt.sub {
			t.Errorf("%s: urls %q %q", tt.yaml, c.MainURL(), c.SubStreamURL())
		}
	}
}

func TestAudioEnabled(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	for _, tt := range []struct {
		audio *bool
		want  bool
	}{{nil, true}, {&yes, true}, {&no, false}} {
		if got := (Camera{Audio: tt.audio}).AudioEnabled(); got != tt.want {
			t.Errorf("AudioEnabled() with audio %v = %v", tt.audio, got)
		}
	}
}
