package config

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"vigil/streams/redact"
)

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "vigil.example.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(goodStation))
	f.Add([]byte(goodStation + "    layout: {grid: 1+5, cameras: [bjx-nsq-01]}\nwalls: [{id: a}]\n"))
	f.Add([]byte(goodStation + "        audio: false\n" +
		"      - id: g\n        vendor: generic\n        host: h\n        channel: 2\n" +
		"        path: /ch{channel}?user=u\n        sub_path: /s%20{channel}\n" +
		"transcode: {enabled: false, ffmpeg: /usr/bin/ffmpeg, hwaccel: vaapi, linger: 30s}\n"))
	f.Add([]byte(goodStation + "      - id: g\n        vendor: generic\n        host: h\n        path: //x/{ch}#\n" +
		"transcode: {hwaccel: cuda, linger: 11m, ffmpeg: \"a\\0\"}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("x: &x {id: a}\nstations: [<<: *x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// A config that parsed is valid, builds a valid URL for every
		// camera, and survives a write and re-read.
		if err := cfg.Validate(); err != nil {
			t.Fatalf("parsed config does not re-validate: %v", err)
		}
		for _, s := range cfg.Stations {
			for _, c := range s.Cameras {
				if c.ONVIF != nil {
					// Its streams come from the device; its address must parse.
					if u, err := url.Parse(c.ONVIF.DeviceURL()); err != nil || u.Scheme != "http" || u.Hostname() != c.ONVIF.Host {
						t.Fatalf("camera %s: device URL %q: %v", c.ID, c.ONVIF.DeviceURL(), err)
					}
					continue
				}
				k := &checker{}
				k.rtspURL("main", c.MainURL())
				if sub := c.SubStreamURL(); sub != "" {
					k.rtspURL("sub", sub)
				}
				if len(k.errs) != 0 {
					t.Fatalf("camera %+v: built URLs are invalid: %v", c, k.errs)
				}
				_ = redact.URL(c.MainURL())
				_ = redact.URL(c.SubStreamURL())
			}
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("re-parse of\n%s\nfailed: %v", out, err)
		}
	})
}
