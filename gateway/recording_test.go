package gateway_test

import (
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/record"
)

// failFS is the real file system with a switch that makes creates and
// writes fail, as a disk gone read-only does.
type failFS struct {
	record.OSFS
	err atomic.Pointer[error]
}

func (f *failFS) set(err error) { f.err.Store(&err) }

func (f *failFS) failing() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *failFS) Create(path string) (record.File, error) {
	if err := f.failing(); err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	file, err := f.OSFS.Create(path)
	if err != nil {
		return nil, err
	}
	return &failFile{File: file, fs: f}, nil
}

type failFile struct {
	record.File
	fs *failFS
}

func (f *failFile) Write(b []byte) (int, error) {
	if err := f.fs.failing(); err != nil {
		return 0, err
	}
	return f.File.Write(b)
}

// TestRecordingPausesOnFailingDisk: a disk that refuses writes pauses the
// recorder (API, metrics, an alert in the log) while live view goes on,
// and recording resumes when the disk is back.
func TestRecordingPausesOnFailingDisk(t *testing.T) {
	disk := &failFS{}
	t.Cleanup(gateway.SetRecordFS(func(string) record.FS { return disk }))
	g, _ := recordingGateway(t)

	disk.set(syscall.EROFS)
	waitRecording(t, g.Gateway, "bjx-t-00", record.StatePaused)
	var cam struct {
		State     string
		Recording struct{ State, Reason string }
	}
	g.admin.must(200, "GET", "/api/cameras/bjx-t-00", nil, &cam)
	if cam.State != "online" || cam.Recording.State != "paused" || cam.Recording.Reason != record.ReasonReadOnly {
		t.Fatalf("camera while the disk fails: %+v", cam)
	}
	// The recorder takes its new state, then tells the gateway, which logs
	// the alert: the state can be seen before the line is written.
	testwait.For(t, "the alert in the log", func() bool {
		return strings.Contains(g.logs.String(), "ALERT: recording paused")
	})
	metrics := string(g.admin.must(200, "GET", "/metrics", nil, nil))
	if !strings.Contains(metrics, `vigil_recorder_state{camera="bjx-t-00",reason="read_only",state="paused"} 1`) {
		t.Fatalf("metrics lack the paused recorder:\n%s", grepLines(metrics, "vigil_recorder_state"))
	}
	countDecodable(t, openWHEP(t, g.URL(), g.admin.token, "bjx-t-00"), 25)

	disk.set(nil)
	waitRecording(t, g.Gateway, "bjx-t-00", record.StateRecording)
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
