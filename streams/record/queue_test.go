package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/streams/hub"
	"vigil/streams/segstore"
)

// gatedFS is the real file system whose writes wait until open is
// closed: a disk that stalls.
type gatedFS struct {
	OSFS
	open chan struct{}
}

func (g gatedFS) Create(path string) (File, error) {
	f, err := g.OSFS.Create(path)
	if err != nil {
		return nil, err
	}
	return gatedFile{f, g.open}, nil
}

type gatedFile struct {
	File
	open chan struct{}
}

func (f gatedFile) Write(b []byte) (int, error) {
	<-f.open
	return f.File.Write(b)
}

// A disk that stalls while the camera sends 16 s of video (400 units,
// more than a viewer's queue of 150) costs the recording nothing: the
// recorder's reader queues deeper, and every unit is written once the
// disk is back.
func TestRecorderRidesOutAStalledDisk(t *testing.T) {
	root := t.TempDir()
	h := hub.New(hub.Options{ID: "cam"}) // a viewer's queue, as the gateway's hubs
	h.SetStatus(hub.Status{State: hub.StateOnline})
	tr := newTracker(t, root)
	disk := gatedFS{open: make(chan struct{})}
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(root, "cam"), Hub: h,
		SegmentDuration: time.Hour, Tracker: tr, FS: disk})
	cam := newSynth(t, 64, 48, 25)
	const units = 400
	for range units {
		h.Publish(cam.next(t))
	}
	close(disk.open)
	tr.waitRecorded(t, "cam", cam.base.Add(cam.pts-2*time.Second))
	stop()
	if s := h.Stats().ReaderSkips; s != 0 {
		t.Fatalf("the recorder's reader skipped %d times", s)
	}
	if n := recordedSamples(t, tr.idx.Segments("cam", time.Time{}, time.Now().Add(time.Hour))); n != units {
		t.Fatalf("%d units recorded of %d sent", n, units)
	}
}

// recordedSamples counts the video samples of segs.
func recordedSamples(t *testing.T, segs []segstore.Segment) int {
	t.Helper()
	n := 0
	for _, s := range segs {
		f, err := os.Open(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := segstore.NewReader(f, s.Size)
		if err != nil {
			t.Fatal(err)
		}
		var fr segstore.Fragment
		for sr.Next(&fr) == nil {
			n += len(fr.Samples)
		}
		f.Close()
	}
	return n
}
