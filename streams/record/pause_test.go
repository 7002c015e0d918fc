package record

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vigil/internal/testwait"
)

// logSink collects a logger's lines for counting.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// count returns the lines at level holding msg.
func (s *logSink) count(level, msg string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range strings.Split(s.buf.String(), "\n") {
		if strings.Contains(l, "level="+level) && strings.Contains(l, msg) {
			n++
		}
	}
	return n
}

// countStates drains states and counts each state word.
func countStates(states chan RecState) map[string]int {
	out := map[string]int{}
	for {
		select {
		case s := <-states:
			out[s.State]++
		default:
			return out
		}
	}
}

// A full disk that still takes new files and their headers (as a real
// one does) but refuses every fragment makes one failure episode: one
// pause and one resume in the log and in the state reports, however many
// retries fail in between.
func TestFullDiskLogsOnePauseAndOneResume(t *testing.T) {
	fsys := &failFS{}
	fsys.headersFit.Store(true)
	sink := &logSink{}
	h := newHub()
	states := make(chan RecState, 1000)
	_, stop := startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(t.TempDir(), "cam"), Hub: h, FS: fsys,
		SegmentDuration: time.Second, RetryInterval: 5 * time.Millisecond, MaxRetryInterval: 20 * time.Millisecond,
		Logger:  slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelInfo})),
		OnState: func(s RecState) { states <- s }})
	stopFeed := feed(t, h, newSynth(t, 64, 48, 5))
	defer stopFeed()

	waitState(t, states, StateRecording, "")
	fsys.set(syscall.ENOSPC)
	waitState(t, states, StatePaused, ReasonDiskFull)
	failed := fsys.failedWrites.Load()
	// A failed write per retry: each retry opened a segment.
	testwait.For(t, "5 failed retries", func() bool { return fsys.failedWrites.Load() >= failed+5 })
	fsys.set(nil)
	waitState(t, states, StateRecording, "")
	stopFeed()
	stop()

	if n := sink.count("ERROR", "recording paused"); n != 1 {
		t.Errorf("%d pause lines at ERROR, want 1", n)
	}
	if n := sink.count("INFO", "recording resumed"); n != 1 {
		t.Errorf("%d resume lines, want 1", n)
	}
	if got := countStates(states); got[StatePaused] != 0 || got[StateRecording] != 0 {
		t.Errorf("state reports after the resume: %v, want none but stopped", got)
	}
}

// A paused recorder does not retry a full disk until its free space is
// back above ResumeFreeBytes, and then resumes.
func TestFullDiskRetriedOnlyAboveFreeSpaceMargin(t *testing.T) {
	fsys := &failFS{}
	h := newHub()
	states := make(chan RecState, 1000)
	startRecorder(t, Options{CameraID: "cam", Dir: filepath.Join(t.TempDir(), "cam"), Hub: h, FS: fsys,
		SegmentDuration: time.Second, RetryInterval: 5 * time.Millisecond, MaxRetryInterval: 5 * time.Millisecond,
		ResumeFreeBytes: 1 << 20, OnState: func(s RecState) { states <- s }})
	stopFeed := feed(t, h, newSynth(t, 64, 48, 5))
	defer stopFeed()

	waitState(t, states, StateRecording, "")
	fsys.free.Store(4 << 10)
	fsys.set(syscall.ENOSPC)
	waitState(t, states, StatePaused, ReasonDiskFull)
	creates, asked := fsys.creates.Load(), fsys.freeAsked.Load()
	testwait.For(t, "5 free-space checks", func() bool { return fsys.freeAsked.Load() >= asked+5 })
	if n := fsys.creates.Load() - creates; n != 0 {
		t.Fatalf("%d segments tried with 4 KiB free, want none below the margin", n)
	}
	fsys.set(nil)
	fsys.free.Store(2 << 20)
	waitState(t, states, StateRecording, "")
}
