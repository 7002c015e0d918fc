package record

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"vigil/streams/hub"
	"vigil/streams/segstore"
)

// failFS is the real file system with a switch that makes every create
// and write fail, a write failing halfway like a disk filling up. With
// headersFit, creates and a file's first write (its header) still
// succeed, as on a real full disk. free, when set, is the free space it
// reports; creates, failedWrites and freeAsked count Create calls, failed
// writes and free-space questions.
type failFS struct {
	OSFS
	err          atomic.Pointer[error]
	headersFit   atomic.Bool
	free         atomic.Int64
	creates      atomic.Int64
	failedWrites atomic.Int64
	freeAsked    atomic.Int64
}

func (f *failFS) FreeBytes(dir string) (int64, error) {
	f.freeAsked.Add(1)
	if n := f.free.Load(); n > 0 {
		return n, nil
	}
	return f.OSFS.FreeBytes(dir)
}

func (f *failFS) set(err error) {
	if err == nil {
		f.err.Store(nil)
		return
	}
	f.err.Store(&err)
}

func (f *failFS) failing() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *failFS) Create(path string) (File, error) {
	f.creates.Add(1)
	if err := f.failing(); err != nil && !f.headersFit.Load() {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	file, err := f.OSFS.Create(path)
	if err != nil {
		return nil, err
	}
	return &failFile{File: file, fs: f}, nil
}

type failFile struct {
	File
	fs     *failFS
	writes int
}

func (f *failFile) Write(b []byte) (int, error) {
	f.writes++
	if err := f.fs.failing(); err != nil && !(f.writes == 1 && f.fs.headersFit.Load()) {
		n, _ := f.File.Write(b[:len(b)/2])
		f.fs.failedWrites.Add(1)
		return n, err
	}
	return f.File.Write(b)
}

// feed publishes units at 8x real time until the returned stop is called.
func feed(t *testing.T, h *hub.Hub, cam *synth) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				h.Publish(cam.next(t))
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// pauseAndResume drives a recorder into a failure and out of it again and
// checks that every segment on disk stays valid.
func pauseAndResume(t *testing.T, dir string, fsys FS, breakIt, fixIt func(), reason string) {
	h := newHub()
	states := make(chan RecState, 100)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: dir, Hub: h, FS: fsys,
		SegmentDuration: time.Second, RetryInterval: 50 * time.Millisecond,
		OnState: func(s RecState) { states <- s }})
	stopFeed := feed(t, h, newSynth(t, 64, 48, 5))
	defer stopFeed()

	if breakIt != nil {
		waitState(t, states, StateRecording, "")
		breakIt()
	}
	s := waitState(t, states, StatePaused, reason)
	if s.Detail == "" {
		t.Error("paused state carries no detail")
	}
	fixIt()
	waitState(t, states, StateRecording, "")
	stopFeed()
	stop()

	files, _ := filepath.Glob(filepath.Join(dir, "*.mp4"))
	if len(files) == 0 {
		t.Fatal("nothing recorded")
	}
	for _, f := range files {
		in, err := segstore.ScanFile(f)
		if err != nil || !in.Intact() || in.Fragments == 0 {
			t.Errorf("%s: %+v, %v", filepath.Base(f), in, err)
		}
	}
}

func TestRecorderPausesOnFullDiskAndResumes(t *testing.T) {
	fsys := &failFS{}
	pauseAndResume(t, filepath.Join(t.TempDir(), "cam"), fsys,
		func() { fsys.set(syscall.ENOSPC) }, func() { fsys.set(nil) }, ReasonDiskFull)
}

func TestRecorderPausesOnReadOnlyFSAndResumes(t *testing.T) {
	fsys := &failFS{}
	pauseAndResume(t, filepath.Join(t.TempDir(), "cam"), fsys,
		func() { fsys.set(syscall.EROFS) }, func() { fsys.set(nil) }, ReasonReadOnly)
}

// A recording path that is a file, not a directory, fails even for root.
func TestRecorderPausesWhenDirIsAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cam")
	if err := os.WriteFile(dir, []byte("in the way"), 0o640); err != nil {
		t.Fatal(err)
	}
	pauseAndResume(t, dir, OSFS{}, nil, func() { os.Remove(dir) }, ReasonNoDir)
}

func TestRecorderPausesOnUnwritableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions; the failing-FS tests cover this")
	}
	dir := filepath.Join(t.TempDir(), "cam")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	pauseAndResume(t, dir, OSFS{}, nil, func() { os.Chmod(dir, 0o700) }, ReasonPermission)
}

func TestReasonOf(t *testing.T) {
	for err, want := range map[error]string{
		syscall.ENOSPC: ReasonDiskFull, syscall.EDQUOT: ReasonDiskFull, syscall.EROFS: ReasonReadOnly,
		syscall.EACCES: ReasonPermission, syscall.ENOTDIR: ReasonNoDir, syscall.EIO: ReasonWriteError,
	} {
		if got := reasonOf(&os.PathError{Op: "write", Path: "x", Err: err}); got != want {
			t.Errorf("reasonOf(%v) = %s, want %s", err, got, want)
		}
	}
}
