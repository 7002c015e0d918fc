package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/segstore"
)

// checkChain checks every fragment of a segment against its sidecar and
// returns the links the sidecar starts and ends with.
func checkChain(t *testing.T, path string) (prev, last segstore.Link) {
	t.Helper()
	c, err := segstore.ReadChain(path)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	sr, err := segstore.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var fr segstore.Fragment
	n := 0
	for sr.Next(&fr) == nil {
		if v, err := segstore.CheckFragment(f, &fr, c); v != segstore.FragmentVerified {
			t.Errorf("%s fragment %d: %s %v", filepath.Base(path), fr.Seq, v, err)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: no fragment", filepath.Base(path))
	}
	return c.Prev, c.Last
}

// Every fragment the recorder writes is hashed into a sidecar, and one
// chain runs through the camera's segments, across a recorder restart.
func TestRecorderChainsFragmentHashes(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cam")
	h := newHub()
	tr := newTracker(t, root)
	cam := newSynth(t, 64, 48, 25)
	for range 2 {
		_, stop := startRecorder(t, Options{CameraID: "cam", Dir: dir, Hub: h, SegmentDuration: 2 * time.Second, Tracker: tr})
		for range 125 { // 5 s
			h.Publish(cam.next(t))
		}
		tr.waitRecorded(t, "cam", cam.base.Add(cam.pts-1500*time.Millisecond))
		stop()
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*"+segstore.Ext))
	if len(segs) < 4 {
		t.Fatalf("%d segments", len(segs))
	}
	var want segstore.Link
	for _, s := range segs {
		prev, last := checkChain(t, s)
		if prev != want {
			t.Errorf("%s continues %x, want %x", filepath.Base(s), prev[:4], want[:4])
		}
		want = last
	}
}
