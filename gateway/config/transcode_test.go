package config

import (
	"testing"
	"time"
)

func TestTranscodeDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(goodStation))
	if err != nil {
		t.Fatal(err)
	}
	want := Transcode{FFmpeg: "ffmpeg", Linger: Duration(10 * time.Second)}
	if cfg.Transcode != want || !cfg.Transcode.On() {
		t.Errorf("transcode = %+v, want %+v and on", cfg.Transcode, want)
	}
	// An empty section, or keys without values, keep the defaults.
	for _, doc := range []string{"transcode:\n", "transcode: {}\n", "transcode:\n  ffmpeg:\n  linger:\n"} {
		cfg, err := Parse([]byte(goodStation + doc))
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if cfg.Transcode != want {
			t.Errorf("%q: transcode = %+v", doc, cfg.Transcode)
		}
	}
	if d := Demo().Transcode; d != want {
		t.Errorf("demo transcode = %+v", d)
	}
}

func TestTranscodeValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml string
		want Transcode
		on   bool
	}{
		{"transcode: {enabled: false}\n", Transcode{FFmpeg: "ffmpeg", Linger: DefaultLinger}, false},
		{"transcode: {enabled: true, hwaccel: vaapi}\n", Transcode{FFmpeg: "ffmpeg", HWAccel: "vaapi", Linger: DefaultLinger}, true},
		{"transcode: {hwaccel: nvenc, linger: 10m}\n", Transcode{FFmpeg: "ffmpeg", HWAccel: "nvenc", Linger: MaxLinger}, true},
		{"transcode: {hwaccel: qsv, linger: 1ms}\n", Transcode{FFmpeg: "ffmpeg", HWAccel: "qsv", Linger: Duration(time.Millisecond)}, true},
		{"transcode: {hwaccel: \"\"}\n", Transcode{FFmpeg: "ffmpeg", Linger: DefaultLinger}, true},
		// The binary's existence is a runtime state, not a config error.
		{"transcode: {ffmpeg: /opt/没有/ffmpeg 6}\n", Transcode{FFmpeg: "/opt/没有/ffmpeg 6", Linger: DefaultLinger}, true},
	}
	for _, tt := range tests {
		cfg, err := Parse([]byte(goodStation + tt.yaml))
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		got := cfg.Transcode
		got.Enabled = nil
		if got != tt.want || cfg.Transcode.On() != tt.on {
			t.Errorf("%q: transcode = %+v, on = %v", tt.yaml, cfg.Transcode, cfg.Transcode.On())
		}
	}
}

func TestTranscodeOn(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	for _, tt := range []struct {
		enabled *bool
		want    bool
	}{{nil, true}, {&yes, true}, {&no, false}} {
		if got := (Transcode{Enabled: tt.enabled}).On(); got != tt.want {
			t.Errorf("On() with enabled %v = %v", tt.enabled, got)
		}
	}
}

func TestBadTranscode(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"unknown hwaccel", goodStation + "transcode:\n  hwaccel: cuda\n",
			`line 8: transcode.hwaccel "cuda": must be "" (software libx264), vaapi, nvenc or qsv`},
		{"hwaccel wrong case", goodStation + "transcode:\n  hwaccel: VAAPI\n",
			`line 8: transcode.hwaccel "VAAPI": must be ""`},
		{"empty ffmpeg", goodStation + "transcode:\n  ffmpeg: \"\"\n",
			`line 8: transcode.ffmpeg: must not be empty (default ffmpeg)`},
		{"newline in ffmpeg", goodStation + "transcode:\n  ffmpeg: \"/usr/bin/ffmpeg\\n-y\"\n",
			`line 8: transcode.ffmpeg "/usr/bin/ffmpeg\n-y": must not contain a line break or NUL`},
		{"NUL in ffmpeg", goodStation + "transcode:\n  ffmpeg: \"ffmpeg\\0\"\n",
			`line 8: transcode.ffmpeg "ffmpeg\x00": must not contain a line break or NUL`},
		{"zero linger", goodStation + "transcode:\n  linger: 0s\n",
			`line 8: transcode.linger "0s": must be positive`},
		{"linger too long", goodStation + "transcode:\n  linger: 11m\n",
			`line 8: transcode.linger "11m0s": must be at most 10m0s`},
		{"linger in days", goodStation + "transcode:\n  linger: 1d\n",
			`line 8: transcode.linger "24h0m0s": must be at most 10m0s`},
		{"negative linger", goodStation + "transcode:\n  linger: -5s\n",
			`line 8: transcode.linger: invalid duration "-5s": negative`},
		{"linger not a duration", goodStation + "transcode:\n  linger: soon\n",
			`line 8: transcode.linger: invalid duration "soon"`},
		{"enabled not bool", goodStation + "transcode:\n  enabled: yes please\n",
			`line 8: transcode.enabled: expected true or false, got a string`},
		{"unknown key", goodStation + "transcode:\n  hw_accel: vaapi\n",
			`line 8: transcode.hw_accel: unknown key`},
		{"not a mapping", goodStation + "transcode: /usr/bin/ffmpeg\n",
			`line 7: transcode: expected a mapping of keys, got a string`},
	})
}

func TestTranscodeCheckedWhenDisabled(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(goodStation + "transcode:\n  enabled: false\n  hwaccel: cuda\n"))
	if err == nil {
		t.Fatal("a disabled section with a bad hwaccel was accepted")
	}
}
