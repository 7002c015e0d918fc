package segstore

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenIndexesAndQueries(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 3 { // three contiguous 2 s segments
		writeSegment(t, root, "cam-a", t0.Add(time.Duration(i)*2*time.Second), 2, 25, 100)
	}
	writeSegment(t, root, "cam-b", t0, 1, 25, 100)
	os.WriteFile(filepath.Join(root, "cam-a", "notes.txt"), []byte("x"), 0o640)

	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Cameras(); len(got) != 2 || got[0] != "cam-a" {
		t.Fatalf("Cameras = %v", got)
	}
	segs := x.Segments("cam-a", t0.Add(1*time.Second), t0.Add(4*time.Second))
	if len(segs) != 2 {
		t.Fatalf("got %d segments, want 2: %+v", len(segs), segs)
	}
	if !segs[0].Start.Equal(t0) || !segs[0].End.Equal(t0.Add(2*time.Second)) || !segs[0].Intact {
		t.Fatalf("first = %+v", segs[0])
	}
	// [from, to) is half open: a segment starting at "to" is not included.
	if n := len(x.Segments("cam-a", t0, t0.Add(2*time.Second))); n != 1 {
		t.Fatalf("half-open query got %d segments", n)
	}

	// A restart (a new index over the same directory) sees the same.
	y, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(y.Segments("cam-a", t0, t0.Add(time.Hour))); n != 3 {
		t.Fatalf("after restart %d segments, want 3", n)
	}
}

func TestOpenRepairsTornSegments(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	good := writeSegment(t, root, "cam", t0, 2, 25, 100)
	torn := writeSegment(t, root, "cam", t0.Add(2*time.Second), 2, 25, 100)
	empty := writeSegment(t, root, "cam", t0.Add(4*time.Second), 2, 25, 100)
	cut(t, torn, 0.75)  // mid second fragment: keep the first
	cut(t, empty, 0.01) // inside the header: nothing usable

	x, err := Open(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	segs := x.Segments("cam", t0, t0.Add(time.Hour))
	if len(segs) != 2 || segs[0].Path != good || segs[1].Path != torn {
		t.Fatalf("segments = %+v", segs)
	}
	if !segs[1].End.Equal(t0.Add(3*time.Second)) || !segs[1].Intact {
		t.Fatalf("repaired segment = %+v, want 1 s of video, intact", segs[1])
	}
	if st, _ := os.Stat(torn); st.Size() != segs[1].Size {
		t.Fatalf("file is %d bytes, index says %d", st.Size(), segs[1].Size)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Fatalf("unusable segment still there: %v", err)
	}
	if in, err := ScanFile(torn); err != nil || !in.Intact() || in.Fragments != 1 {
		t.Fatalf("rescan after repair: %+v, %v", in, err)
	}
}

// cut truncates a file to a fraction of its size, like a crash mid-write.
func cut(t *testing.T, path string, frac float64) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(float64(st.Size())*frac)); err != nil {
		t.Fatal(err)
	}
}

func TestProgressAndPins(t *testing.T) {
	t.Parallel()
	x, err := Open(Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	seg := Segment{Camera: "cam", Path: "/nonexistent/a.mp4", Start: t0}
	x.RecordingProgress("cam", seg.Path, t0, t0, 100, true)
	x.RecordingProgress("cam", seg.Path, t0, t0.Add(time.Second), 5000, true)
	segs := x.Segments("cam", t0, t0.Add(time.Minute))
	if len(segs) != 1 || !segs[0].Active || segs[0].Size != 5000 {
		t.Fatalf("segments = %+v", segs)
	}
	if err := x.Remove(segs[0]); err != ErrBusy {
		t.Fatalf("removing the active segment: %v, want ErrBusy", err)
	}
	x.RecordingProgress("cam", seg.Path, t0, t0.Add(2*time.Second), 9000, false)
	release := x.Pin(segs)
	if err := x.Remove(segs[0]); err != ErrBusy {
		t.Fatalf("removing a pinned segment: %v, want ErrBusy", err)
	}
	release()
	release() // idempotent
	if err := x.Remove(segs[0]); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if n := len(x.Segments("cam", t0, t0.Add(time.Minute))); n != 0 {
		t.Fatalf("%d segments left", n)
	}
}
