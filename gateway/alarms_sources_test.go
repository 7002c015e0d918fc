package gateway_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/record"
	"vigil/streams/sim"
)

// The alarms below come from the gateway's own parts (hub rates, the
// recorder, the transcoders, the data disk) rather than from the
// pictures: each is raised within its threshold plus 2 s of the fault,
// over a real gateway, and clears when the fault is gone.

// sourceAlarmConfig has a 2 s threshold for typ, a 2 s clear_after and
// the diagnosis off (these alarms do not look at pictures).
func sourceAlarmConfig(typ string, extra string) string {
	return "alarms:\n  thresholds: {" + typ + ": 2s}\n  clear_after: 2s\n  diagnosis: false\n" + extra
}

// raiseAndClear waits for camera's alarm of typ raised, checks it came
// within threshold + slack of at, heals the fault and waits for the
// alarm cleared.
func raiseAndClear(t *testing.T, admin *client, query, typ string, at time.Time, slack time.Duration, heal func()) apiAlarm {
	t.Helper()
	a := admin.waitAlarm(typ+" raised", query+"&type="+typ, isActive)
	late := a.RaisedAt.Sub(at)
	t.Logf("%s raised %v after the fault (threshold 2s): %s", typ, late.Round(time.Millisecond), a.Detail)
	if late > 2*time.Second+slack {
		t.Errorf("%s raised %v after the fault, want within %v", typ, late.Round(time.Millisecond), 2*time.Second+slack)
	}
	if a.Count != 1 {
		t.Errorf("alarm %+v, want count 1", a)
	}
	heal()
	admin.waitAlarm(typ+" cleared", query+"&type="+typ, func(x apiAlarm) bool {
		return x.ID == a.ID && x.State == "cleared" && x.ClearedAt != nil
	})
	return a
}

// TestAlarmBitrateDrop: a camera whose frame rate, and with it its
// bitrate, drops to a fifth on the open session (camsim's thin fault)
// has a bitrate_drop against its own norm; it clears when the camera is
// back to its rate. The hub's bitrate is a 5 s average (a 1 s figure
// jumps with each keyframe), so the drop is seen only once that average
// has fallen: the bound is threshold + 5 s + 2 s. The share is 0.5, so
// that a fifth of the rate is well under it even when the norm was learnt
// on a starved machine (the camera's frames late, its rate below 25 fps).
func TestAlarmBitrateDrop(t *testing.T) {
	const normLooks = 5
	t.Cleanup(gateway.SetAlarmNormAfter(normLooks))
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0"}, Width: 320, Height: 180, GOP: 5})
	cfg := stationsConfig("rtsp://"+cams.Addr(), map[string][]string{"bjx": {"bjx-a-00"}}) + sourceAlarmConfig("bitrate_drop", "  bitrate_drop_share: 0.5\n")
	g := startTestGateway(t, cfg)
	h := mainHubs(t, g.Gateway, []string{"bjx-a-00"})["bjx-a-00"]
	waitOnline(t, h)
	// The detector learns the norm from its first looks (one a second)
	// at a flowing camera; a drop before that would be learnt as normal.
	// The hub's average is over 5 s: the looks after that see the camera's
	// steady rate.
	testwait.For(t, "the camera's norm learnt", func() bool {
		return h.Stats().Bitrate > 0 && time.Since(h.Status().Since) > (normLooks+5+1)*time.Second
	})
	normal := h.Stats().Bitrate

	at := time.Now()
	if err := cams.SetFault("cam0", sim.FaultThin); err != nil {
		t.Fatal(err)
	}
	a := raiseAndClear(t, g.admin, "camera=bjx-a-00", "bitrate_drop", at, 5*time.Second+2*time.Second, func() {
		t.Logf("bitrate %.0f kb/s before the fault, %.0f kb/s thinned", normal/1000, h.Stats().Bitrate/1000)
		cams.SetFault("cam0", sim.FaultNone)
	})
	if a.Station != "bjx" || !strings.Contains(a.Detail, "norm") {
		t.Errorf("alarm %+v", a)
	}
	// A thinned camera still sends frames: no video_loss, no offline.
	if list := g.admin.alarms("camera=bjx-a-00&type=video_loss"); len(list) != 0 {
		t.Errorf("video_loss while thinned: %+v", list)
	}
}

// TestAlarmRecordingFailed: the recorder's disk refusing writes (a real
// file system behind a switch, as a disk gone read-only) raises
// recording_failed with the reason, and it clears when the disk is back
// and the recorder records again.
func TestAlarmRecordingFailed(t *testing.T) {
	disk := &failFS{}
	t.Cleanup(gateway.SetRecordFS(func(string) record.FS { return disk }))
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0"}, Width: 320, Height: 180, GOP: 25})
	cfg := strings.ReplaceAll(stationsConfig("rtsp://"+cams.Addr(), map[string][]string{"bjx": {"bjx-t-00"}}),
		"record: false", "record: true") + sourceAlarmConfig("recording_failed", "")
	g := startTestGateway(t, cfg)
	waitRecording(t, g.Gateway, "bjx-t-00", record.StateRecording)

	at := time.Now()
	disk.set(syscall.EROFS)
	a := raiseAndClear(t, g.admin, "camera=bjx-t-00", "recording_failed", at, 2*time.Second, func() {
		disk.set(nil)
		waitRecording(t, g.Gateway, "bjx-t-00", record.StateRecording)
	})
	if a.Detail != record.ReasonReadOnly {
		t.Errorf("detail %q, want %q", a.Detail, record.ReasonReadOnly)
	}
}

// TestAlarmTranscoderFailed: an H.265 camera watched by an H.264-only
// viewer needs a transcoder; with the configured ffmpeg missing it
// fails (needs_ffmpeg) and transcoder_failed is raised. Installing
// ffmpeg at that path heals it at the transcoder's next try, and the
// alarm clears.
func TestAlarmTranscoderFailed(t *testing.T) {
	needFFmpeg(t)
	real, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal(err)
	}
	ffmpeg := filepath.Join(t.TempDir(), "ffmpeg") // not there yet
	srv := startCamera(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) {
		o.Codec = media.CodecH265
	}})
	cfg := oneCameraConfig(srv.URL("cam0")) + "transcode:\n  ffmpeg: " + ffmpeg + "\n" + sourceAlarmConfig("transcoder_failed", "")
	g := startTestGateway(t, cfg)
	waitCameraOnline(t, g.URL(), g.admin.token, "bjx-nsq-01")
	if list := g.admin.alarms("type=transcoder_failed"); len(list) != 0 {
		t.Fatalf("transcoder_failed before anyone needed a transcoder: %+v", list)
	}

	at := time.Now()
	v := openWHEP(t, g.URL(), g.admin.token, "bjx-nsq-01") // H.264 only: the camera's H.265 is transcoded
	t.Cleanup(func() { v.Close() })
	a := raiseAndClear(t, g.admin, "camera=bjx-nsq-01", "transcoder_failed", at, 2*time.Second, func() {
		if err := os.Symlink(real, ffmpeg); err != nil {
			t.Fatal(err)
		}
		frames(t, v, 0, 10, nil) // transcoded pictures reach the viewer
	})
	if a.Detail != "needs_ffmpeg" {
		t.Errorf("detail %q, want needs_ffmpeg", a.Detail)
	}
}

// TestAlarmDiskLow: the data disk's free share under disk_low_percent
// raises disk_low for this node (threshold 0: at the first look), and
// it clears when space is back. The reading is the real statfs of the
// data directory; the test takes space away from it on cue, as filling
// the disk for real would on a shared machine.
func TestAlarmDiskLow(t *testing.T) {
	var taken atomic.Int64 // percent points taken from the real reading
	t.Cleanup(gateway.SetAlarmDiskFree(func(dir string) (float64, error) {
		free, err := gateway.DiskFree(dir)
		return free - float64(taken.Load()), err
	}))
	cams := startCamera(t, sim.ServerOptions{Names: []string{"cam0"}, Width: 320, Height: 180, GOP: 5})
	cfg := stationsConfig("rtsp://"+cams.Addr(), map[string][]string{"bjx": {"bjx-a-00"}}) +
		"alarms:\n  thresholds: {disk_low: 0s}\n  clear_after: 2s\n  diagnosis: false\n  disk_low_percent: 5\n"
	g := startTestGateway(t, cfg)
	free, err := gateway.DiskFree(g.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if free < 10 {
		t.Skipf("the test machine's disk has only %.1f%% free: it is low already", free)
	}
	waitOnline(t, mainHubs(t, g.Gateway, []string{"bjx-a-00"})["bjx-a-00"])
	if list := g.admin.alarms("type=disk_low"); len(list) != 0 {
		t.Fatalf("disk_low with %.1f%% free: %+v", free, list)
	}

	at := time.Now()
	taken.Store(int64(free) - 2) // about 2 % left
	a := g.admin.waitAlarm("disk_low raised", "type=disk_low", isActive)
	within(t, a, at, 0)
	if !strings.HasSuffix(a.Detail, "% free") || a.Camera != "" {
		t.Errorf("alarm %+v", a)
	}
	taken.Store(0)
	g.admin.waitAlarm("disk_low cleared", "type=disk_low", func(x apiAlarm) bool {
		return x.ID == a.ID && x.State == "cleared" && x.ClearedAt != nil
	})
}
