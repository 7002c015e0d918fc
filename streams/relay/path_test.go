package relay

import (
	"testing"

	"vigil/internal/ids"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path, camera string
		sub, ok      bool
	}{
		{"bjx-nsq-01", "bjx-nsq-01", false, true},
		{"bjx-nsq-01/sub", "bjx-nsq-01", true, true},
		{"", "", false, false},
		{"/sub", "", false, false},
		{"a/b", "", false, false},
		{"a/sub/sub", "", false, false},
		{"cam?x=1", "", false, false},
		{string(make([]byte, 65)), "", false, false},
		{"BJX-nsq-01", "", false, false},
		{"bjx_nsq_01/sub", "", false, false},
		{"摄像头", "", false, false},
		{"../sub", "", false, false},
	}
	for _, c := range cases {
		camera, sub, ok := parsePath(c.path)
		if camera != c.camera || sub != c.sub || ok != c.ok {
			t.Errorf("parsePath(%q) = %q %v %v, want %q %v %v", c.path, camera, sub, ok, c.camera, c.sub, c.ok)
		}
		if ok && Path(camera, sub) != c.path {
			t.Errorf("Path(%q, %v) = %q, want %q", camera, sub, Path(camera, sub), c.path)
		}
	}
}

func FuzzParsePath(f *testing.F) {
	for _, p := range []string{"bjx-nsq-01", "bjx-nsq-01/sub", "/sub", "a/b/sub", ""} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		camera, sub, ok := parsePath(path)
		if !ok {
			return
		}
		if !ids.Valid(camera) {
			t.Fatalf("parsePath(%q) accepted camera %q", path, camera)
		}
		if Path(camera, sub) != path {
			t.Fatalf("Path(parsePath(%q)) = %q", path, Path(camera, sub))
		}
	})
}
