package transcode

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/hub"
)

// alive reports whether a process exists (a reaped one does not).
func alive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func TestViewersShareOneFFmpegAndLingerStopsIt(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "320x180", 4)
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	defer p.stop()
	// A linger long enough that a release and an Acquire a few statements
	// apart fall within it even on a busy machine.
	const linger = time.Second
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Linger: linger, Logger: testLogger(t)})
	defer tc.Close()

	a, b := collect(tc.Output()), collect(tc.Output())
	defer a.stop()
	defer b.stop()
	releaseA := tc.Acquire()
	releaseB := tc.Acquire()
	a.waitKey(t, time.Time{})
	b.waitKey(t, time.Time{})
	if st := tc.State(); st.Viewers != 2 || tc.processStarts() != 1 {
		t.Fatalf("state %+v with %d ffmpeg processes started, want 2 viewers on 1", st, tc.processStarts())
	}
	pid := tc.pid()

	releaseA()
	releaseA() // idempotent: must not count as B's release
	// Viewer changes reach the transcoder in order: after this Acquire, a
	// second count of A's release would leave 1 viewer, not 2.
	releaseD := tc.Acquire()
	testwait.For(t, "2 viewers after A left and D came",
		func() bool { return tc.State().Viewers == 2 })
	releaseD()
	// Output for two lingers after the releases: no linger was armed.
	a.waitOutputSince(t, time.Now().Add(2*linger))
	if st := tc.State(); st.Phase != PhaseRunning || st.Viewers != 1 || !alive(pid) {
		t.Fatalf("after one of two releases: state %+v, ffmpeg alive %v", st, alive(pid))
	}

	// A release and a new Acquire within the linger keep the same process.
	releaseB()
	releaseC := tc.Acquire()
	a.waitOutputSince(t, time.Now().Add(2*linger))
	if tc.pid() != pid || tc.processStarts() != 1 {
		t.Fatalf("re-acquired within the linger: pid %d (was %d), %d starts", tc.pid(), pid, tc.processStarts())
	}
	releaseC()
	testwait.For(t, "idle after the linger", func() bool { return tc.State().Phase == PhaseIdle })
	if alive(pid) || tc.pid() != 0 {
		t.Fatalf("ffmpeg %d still exists after the linger", pid)
	}
	if st := tc.State(); st.Viewers != 0 || st.Restarts != 0 {
		t.Fatalf("idle state %+v", st)
	}

	// A later viewer starts a new process.
	again := time.Now()
	release := tc.Acquire()
	defer release()
	a.waitKey(t, again)
	if tc.processStarts() != 2 {
		t.Fatalf("%d starts, want 2", tc.processStarts())
	}
}

func TestKilledFFmpegRestarts(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "320x180", 4)
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	defer p.stop()
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t)})
	defer tc.Close()
	col := collect(tc.Output())
	defer col.stop()
	defer tc.Acquire()()

	col.waitKey(t, time.Time{})
	col.waitUnits(t, 12) // output before the kill, to check PTS across it
	pid := tc.pid()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	testwait.For(t, "restart counted", func() bool { return tc.State().Restarts == 1 })
	at := col.waitKey(t, killed)
	t.Logf("output resumed %v after the kill", at.Sub(killed))
	testwait.For(t, "20 units after the restart",
		func() bool { return len(col.unitsAfter(ReasonRestarting)) >= 20 })

	if tc.pid() == pid || alive(pid) {
		t.Fatalf("old ffmpeg %d still there (now %d)", pid, tc.pid())
	}
	units, statuses := col.snapshot()
	after := col.unitsAfter(ReasonRestarting)
	if after == nil {
		t.Fatalf("statuses %+v: no offline %q", statuses, ReasonRestarting)
	}
	if len(after) < 20 || !after[0].Key {
		t.Fatalf("%d units after the kill, first key %v", len(after), len(after) > 0 && after[0].Key)
	}
	for i := 1; i < len(units); i++ {
		if units[i].PTS <= units[i-1].PTS {
			t.Fatalf("PTS went back across the restart: %v after %v", units[i].PTS, units[i-1].PTS)
		}
	}
	if st := tc.State(); st.Phase != PhaseRunning || st.Restarts != 1 {
		t.Fatalf("state %+v, want running with 1 restart", st)
	}
}

// An ffmpeg that stops reading and writing (SIGSTOP) is killed and
// replaced by the watchdog.
func TestStalledFFmpegRestarts(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "320x180", 4)
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	defer p.stop()
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t), stallTimeout: time.Second})
	defer tc.Close()
	col := collect(tc.Output())
	defer col.stop()
	defer tc.Acquire()()

	col.waitKey(t, time.Time{})
	pid := tc.pid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	at := col.waitKey(t, stopped)
	t.Logf("output resumed %v after ffmpeg froze", at.Sub(stopped))
	// At least one restart: with the test's 1 s stall timeout a starved
	// machine may also take a slow new ffmpeg for a stalled one.
	if st := tc.State(); st.Restarts < 1 || alive(pid) {
		t.Fatalf("state %+v, frozen ffmpeg alive %v", st, alive(pid))
	}
}

func TestBadHWAccel(t *testing.T) {
	in := hub.New(hub.Options{ID: "cam"})
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", HWAccel: "cuda", Logger: testLogger(t)})
	defer tc.Close()
	defer tc.Acquire()()
	testwait.For(t, "failed", func() bool {
		return tc.State().Phase == PhaseFailed && tc.Output().Status().Reason == ReasonFailed
	})
}

func TestMissingFFmpeg(t *testing.T) {
	in := hub.New(hub.Options{ID: "cam"})
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", FFmpeg: "/nonexistent/ffmpeg", Logger: testLogger(t)})
	defer tc.Close()
	defer tc.Acquire()()
	testwait.For(t, "needs_ffmpeg", func() bool {
		s := tc.Output().Status()
		return tc.State().Phase == PhaseNeedsFFmpeg && s.State == hub.StateOffline && s.Reason == "needs_ffmpeg"
	})
}

func TestInputOfflineIsMirrored(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "320x180", 2)
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t)})
	defer tc.Close()
	col := collect(tc.Output())
	defer col.stop()
	defer tc.Acquire()()
	col.waitKey(t, time.Time{})

	p.stop()
	in.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnreachable})
	testwait.For(t, "output offline, unreachable", func() bool {
		s := tc.Output().Status()
		return s.State == hub.StateOffline && s.Reason == hub.ReasonUnreachable
	})
	testwait.For(t, "ffmpeg stopped", func() bool { return tc.pid() == 0 })

	back := time.Now()
	p = play(in, c) // the camera is back
	defer p.stop()
	col.waitKey(t, back)
	if st := tc.State(); st.Restarts != 0 {
		t.Errorf("the camera going offline counted as %d ffmpeg failures", st.Restarts)
	}
}

func TestUnsupportedInput(t *testing.T) {
	in := hub.New(hub.Options{ID: "cam"})
	in.SetStatus(hub.Status{State: hub.StateOnline, Track: aacClipTrack()})
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t)})
	defer tc.Close()
	defer tc.Acquire()()
	testwait.For(t, "failed, unsupported_codec", func() bool {
		return tc.State().Phase == PhaseFailed && tc.Output().Status().Reason == hub.ReasonUnsupportedCodec
	})
}

func TestCloseLeavesNothing(t *testing.T) {
	needFFmpeg(t)
	c := hevcClip(t, "320x180", 2)
	before := runtime.NumGoroutine()

	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(t)})
	col := collect(tc.Output())
	release := tc.Acquire()
	col.waitKey(t, time.Time{})
	pid := tc.pid()

	tc.Close()
	if alive(pid) {
		t.Errorf("ffmpeg %d outlived Close", pid)
	}
	if s := tc.Output().Status(); s.State != hub.StateOffline || s.Reason != hub.ReasonStopped {
		t.Errorf("output status after Close: %s %s", s.State, s.Reason)
	}
	release() // after Close: a no-op, must not block
	tc.Acquire()()
	col.stop()
	p.stop()
	checkNoLeaks(t, before)
}
