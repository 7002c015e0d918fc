package config

import (
	"strings"
	"testing"
)

// goodStation is prepended to bad-config cases that need a valid station.
const goodStation = `stations:
  - id: bjx
    name: 北京西站
    cameras:
      - id: bjx-nsq-01
        url: rtsp://u:p@192.0.2.10/Streaming/Channels/101
`

// badConfig is a config Parse must refuse, and a part of the message.
type badConfig struct {
	name, yaml, want string
}

// checkBadConfigs parses each config and checks the error names the line,
// key path and reason, and never leaks the password "hunter2".
func checkBadConfigs(t *testing.T, tests []badConfig) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks a password: %v", err)
			}
		})
	}
}

func TestBadConfigs(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"unknown top-level key", goodStation + "recordings: {}\n",
			`line 7: recordings: unknown key`},
		{"unknown camera key", goodStation + "        pasword: x\n",
			`line 7: stations[0].cameras[0].pasword: unknown key`},
		{"unknown key in flow layout", goodStation + "    layout: {grid: 2x2, cams: [bjx-nsq-01]}\n",
			`line 7: stations[0].layout.cams: unknown key`},
		{"bad camera id", goodStation + "      - id: BJX 1\n        url: rtsp://h/\n",
			`line 7: stations[0].cameras[1].id "BJX 1": must be 1-64 chars of a-z, 0-9, -`},
		{"id too long", goodStation + "      - id: " + strings.Repeat("a", 65) + "\n        url: rtsp://h/\n",
			`line 7: stations[0].cameras[1].id "` + strings.Repeat("a", 65) + `": must be 1-64`},
		{"duplicate camera across stations", goodStation + "  - id: bj\n    cameras:\n      - id: bjx-nsq-01\n        url: rtsp://h/\n",
			`line 9: stations[1].cameras[0].id "bjx-nsq-01": duplicate id (first used at line 5)`},
		{"duplicate station", goodStation + "  - id: bjx\n    cameras: []\n",
			`line 7: stations[1].id "bjx": duplicate id (first used at line 2)`},
		{"no stations", "recording: {retention: 1h}\n",
			`stations: at least one station is required`},
		{"neither url nor vendor", goodStation + "      - id: c2\n        name: x\n",
			`line 7: stations[0].cameras[1]: either url or vendor + host is required`},
		{"url and vendor", goodStation + "      - id: c2\n        url: rtsp://h/\n        vendor: dahua\n        host: h\n",
			`line 8: stations[0].cameras[1].url: url and vendor dahua are mutually exclusive`},
		{"bad scheme, password not echoed", goodStation + "      - id: c2\n        url: http://admin:hunter2@h/\n",
			`line 8: stations[0].cameras[1].url "http://***@h/": scheme must be rtsp or rtsps`},
		{"unparseable url", goodStation + "      - id: c2\n        url: \"rtsp://a:b@h:99x/\"\n",
			`line 8: stations[0].cameras[1].url "rtsp://<invalid>": not a valid URL`},
		{"unknown vendor", goodStation + "      - id: c2\n        vendor: axis\n        host: h\n",
			`line 8: stations[0].cameras[1].vendor "axis": must be hikvision, dahua, uniview or generic`},
		{"vendor without host", goodStation + "      - id: c2\n        vendor: uniview\n",
			`line 7: stations[0].cameras[1].host: required with vendor uniview`},
		{"generic needs url or host", goodStation + "      - id: c2\n        vendor: generic\n",
			`line 7: stations[0].cameras[1]: vendor generic needs url, or host + path`},
		{"port out of range", goodStation + "      - id: c2\n        vendor: hikvision\n        host: h\n        port: 70000\n",
			`line 10: stations[0].cameras[1].port: must be 1-65535, got 70000`},
		{"port not a number", goodStation + "      - id: c2\n        vendor: hikvision\n        host: h\n        port: http\n",
			`line 10: stations[0].cameras[1].port: expected a whole number, got a string`},
		{"bad host", goodStation + "      - id: c2\n        vendor: hikvision\n        host: \"h/x\"\n",
			`line 9: stations[0].cameras[1].host "h/x": must be a host name or IP address`},
		{"credentials beside url", goodStation + "        username: admin\n",
			`line 7: stations[0].cameras[0].username: only used with vendor`},
		{"bad transport", goodStation + "        transport: quic\n",
			`line 7: stations[0].cameras[0].transport "quic": must be auto, tcp or udp`},
		{"record not bool", goodStation + "        record: maybe\n",
			`line 7: stations[0].cameras[0].record: expected true or false, got a string`},
		{"bad grid", goodStation + "    layout: {grid: 3x4}\n",
			`line 7: stations[0].layout.grid "3x4": must be one of 1, 2x2`},
		{"layout camera of other station", goodStation + "    layout:\n      grid: 2x2\n      cameras: [bjx-nsq-01, bj-x]\n",
			`line 9: stations[0].layout.cameras[1] "bj-x": no such camera in station bjx`},
		{"too many for grid", goodStation + "    layout: {grid: \"1\", cameras: [bjx-nsq-01, bjx-nsq-01]}\n",
			`line 7: stations[0].layout.cameras: 2 cameras do not fit grid 1 (1 tiles)`},
		{"bad duration", goodStation + "recording:\n  retention: 1 week\n",
			`line 8: recording.retention: invalid duration "1 week"`},
		{"bad size", goodStation + "recording:\n  max_bytes: lots\n",
			`line 8: recording.max_bytes: invalid size "lots"`},
		{"zero retention", goodStation + "recording:\n  retention: 0s\n",
			`line 8: recording.retention "0s": must be positive`},
		{"clip longer than retention", goodStation + "recording:\n  retention: 1h\n  max_clip: 2h\n",
			`line 9: recording.max_clip "2h0m0s": must not exceed recording.retention (1h0m0s)`},
		{"bad public ip", goodStation + "webrtc:\n  public_ips: [203.0.113.7, example.com]\n",
			`line 8: webrtc.public_ips[1] "example.com": must be an IP address`},
		{"bad wall id", goodStation + "walls:\n  - id: Main\n",
			`line 8: walls[0].id "Main": must be 1-64 chars`},
		{"duplicate wall", goodStation + "walls:\n  - id: a\n  - id: a\n",
			`line 9: walls[1].id "a": duplicate id (first used at line 8)`},
		{"wall of an unknown station", goodStation + "walls:\n  - id: a\n    stations: [bjx, nope]\n",
			`line 9: walls[0].stations[1] "nope": no such station`},
		{"wall station twice", goodStation + "walls:\n  - id: a\n    stations:\n      - bjx\n      - bjx\n",
			`line 11: walls[0].stations[1] "bjx": listed twice`},
		{"stations not a list", "stations: bjx\n",
			`line 1: stations: expected a list, got a string`},
		{"syntax error", "stations:\n  - id: a\n    name: x: y\n",
			`line 3: invalid YAML: mapping values are not allowed`},
		{"duplicate key", goodStation + "        url: rtsp://h/2\n",
			`line 7: stations[0].cameras[0].url: mapping key "url" already defined at line 6`},
	})
}

func TestAllErrorsReported(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(goodStation + "      - id: X\n        url: ftp://h/\nwalls: [{id: W}]\n"))
	if err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Fatalf("got %d errors, want 3:\n%v", n, err)
	}
}
