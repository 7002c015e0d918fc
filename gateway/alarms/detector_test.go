package alarms

import (
	"context"
	"testing"
	"time"

	"vigil/gateway/config"
	"vigil/internal/testclock"
	"vigil/streams/hub"
	"vigil/streams/media"
)

// lookAt runs the detector's checks at the engine's clock, as its
// goroutine does each tick.
func newLooker(t *testing.T, src Sources) (*Detector, *Engine, *testclock.Clock) {
	t.Helper()
	e, _, clk := newTestEngine(t)
	alarms := config.Alarms{Thresholds: config.Thresholds{"camera_offline": config.Duration(2 * time.Second),
		"video_loss": config.Duration(2 * time.Second), "disk_low": 0}}
	tr := NewTracker(e, TrackerOptions{Threshold: alarms.Threshold, ClearAfter: 5 * time.Second})
	d := &Detector{opts: DetectorOptions{Sources: src, Alarms: alarms, FrameGap: time.Second, NormAfter: 3},
		tracker: tr, cams: map[string]*cameraWatch{}, nodes: map[string]bool{}}
	return d, e, clk
}

func openTypes(e *Engine) map[string]int {
	out := map[string]int{}
	for _, a := range e.OpenAlarms() {
		out[a.Type+"/"+a.Camera+a.Subject] = a.Count
	}
	return out
}

func TestDetectorOfflineAndVideoLoss(t *testing.T) {
	t.Parallel()
	h := hub.New(hub.Options{ID: "bjx-a-00"})
	cam := Camera{ID: "bjx-a-00", Station: "bjx", Main: h}
	d, e, clk := newLooker(t, Sources{Cameras: func() []Camera { return []Camera{cam} }})
	ctx := context.Background()
	h.SetStatus(hub.Status{State: hub.StateOnline, Since: clk.Now()})
	publish := func() { h.Publish(&media.AccessUnit{Key: true, Received: clk.Now(), NALUs: [][]byte{{0x65}}}) }
	for range 3 {
		publish()
		d.look(ctx, clk.Advance(500*time.Millisecond))
	}
	// No frames while connected: video_loss 2 s after the last frame
	// (published 0.5 s before the last look).
	d.look(ctx, clk.Advance(1400*time.Millisecond))
	if len(openTypes(e)) != 0 {
		t.Fatalf("alarms 1.9 s after the last frame: %v", openTypes(e))
	}
	d.look(ctx, clk.Advance(200*time.Millisecond))
	if openTypes(e)["video_loss/bjx-a-00"] != 1 {
		t.Fatalf("no video_loss: %v", openTypes(e))
	}
	// Offline: camera_offline after its threshold, with the reason.
	h.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnauthorized, Since: clk.Now()})
	d.look(ctx, clk.Advance(time.Second))
	d.look(ctx, clk.Advance(1100*time.Millisecond))
	if openTypes(e)["camera_offline/bjx-a-00"] != 1 {
		t.Fatalf("no camera_offline: %v", openTypes(e))
	}
	for _, a := range e.OpenAlarms() {
		if a.Type == "camera_offline" && a.Detail != "unauthorized" {
			t.Fatalf("detail %q, want the reason", a.Detail)
		}
	}
	// A drop that came and went between two looks still counts.
	h.SetStatus(hub.Status{State: hub.StateOnline})
	publish()
	h.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnreachable})
	d.look(ctx, clk.Advance(time.Second))
	if n := openTypes(e)["camera_offline/bjx-a-00"]; n != 2 {
		t.Fatalf("count %d after an unseen drop, want 2", n)
	}
}

func TestDetectorBitrateDiskNodes(t *testing.T) {
	t.Parallel()
	h := hub.New(hub.Options{ID: "c"})
	free := 50.0
	down := []string{}
	d, e, clk := newLooker(t, Sources{
		Cameras:  func() []Camera { return []Camera{{ID: "c", Station: "s", Main: h}} },
		DiskFree: func() (float64, error) { return free, nil }, DiskSubject: "local",
		NodesDown: func() []string { return down },
	})
	d.opts.Alarms.DiskLowPercent = 5
	d.opts.Alarms.BitrateDropShare = 0.3
	ctx := context.Background()
	w := &cameraWatch{}
	for range 5 { // a norm of 1 Mb/s
		d.bitrate(ctx, clk.Advance(time.Second), Camera{ID: "c", Station: "s", Main: h}, w, true, 1e6)
	}
	d.bitrate(ctx, clk.Advance(time.Second), Camera{ID: "c", Station: "s", Main: h}, w, true, 2e5)
	d.bitrate(ctx, clk.Advance(time.Minute), Camera{ID: "c", Station: "s", Main: h}, w, true, 2e5)
	if openTypes(e)["bitrate_drop/c"] != 1 {
		t.Fatalf("no bitrate_drop at a fifth of the norm: %v", openTypes(e))
	}
	free, down = 3, []string{"bjx-2"}
	d.disk(ctx, clk.Advance(time.Second))
	d.nodesDown(ctx, clk.Now())
	if got := openTypes(e); got["disk_low/local"] != 1 || got["node_down/bjx-2"] != 1 {
		t.Fatalf("disk and node: %v", got)
	}
	free, down = 40, nil
	d.disk(ctx, clk.Advance(time.Second))
	d.nodesDown(ctx, clk.Now())
	d.disk(ctx, clk.Advance(6*time.Second))
	d.nodesDown(ctx, clk.Now())
	if got := openTypes(e); got["disk_low/local"] != 0 || got["node_down/bjx-2"] != 0 {
		t.Fatalf("not cleared after recovery: %v", got)
	}
}

// TestDetectorFailuresDatedFromTheirStart: a recorder or transcoder
// failure runs its threshold from when it failed, not from the look that
// first saw it, so a failure already 2 s old when seen is raised at once.
func TestDetectorFailuresDatedFromTheirStart(t *testing.T) {
	t.Parallel()
	h := hub.New(hub.Options{ID: "c"})
	var failedAt time.Time
	failing := func(string) (bool, string, time.Time) { return !failedAt.IsZero(), "read_only", failedAt }
	d, e, clk := newLooker(t, Sources{
		Cameras:         func() []Camera { return []Camera{{ID: "c", Station: "s", Main: h}} },
		RecordingFailed: failing, TranscoderFailed: failing,
	})
	d.opts.Alarms.Thresholds["recording_failed"] = config.Duration(2 * time.Second)
	d.opts.Alarms.Thresholds["transcoder_failed"] = config.Duration(2 * time.Second)
	ctx := context.Background()
	d.look(ctx, clk.Advance(time.Second))
	failedAt = clk.Now()
	d.look(ctx, clk.Advance(1900*time.Millisecond))
	if got := openTypes(e); len(got) != 0 {
		t.Fatalf("raised 1.9 s into a 2 s threshold: %v", got)
	}
	d.look(ctx, clk.Advance(200*time.Millisecond))
	if got := openTypes(e); got["recording_failed/c"] != 1 || got["transcoder_failed/c"] != 1 {
		t.Fatalf("not raised 2.1 s after the failure, seen 0.2 s before: %v", got)
	}
}
