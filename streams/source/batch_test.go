package source

import (
	"context"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/sim"
)

// A camera that only a recorder reads is read in batches (rtsp.BatchPeriod):
// its frames arrive at the hub several at a time, in order. That none is
// lost on the way is streams/record's TestRecordingLosesNoFrame, which
// counts the camera's own frame numbers.
func TestUnwatchedCameraIsReadInBatches(t *testing.T) {
	const fps = 50 // about five frames to a 100 ms batch
	srv := startCameras(t, sim.ServerOptions{Configure: func(_ string, o *sim.CameraOptions) {
		o.FPS, o.GOP = fps, fps
	}})
	_, h := runSource(t, srv.URL("cam0"), "tcp")
	recorder := h.NewBackgroundReader(1000)
	defer recorder.Close()
	if watched, _ := h.Watched(); watched {
		t.Fatal("a hub read only by a background reader is watched")
	}

	var received []time.Time
	var pts []time.Duration
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for len(received) < 3*fps {
		d, err := recorder.Read(ctx)
		if err != nil {
			t.Fatalf("%d units: %v", len(received), err)
		}
		for _, au := range d.Units {
			received = append(received, au.Received)
			pts = append(pts, au.PTS)
		}
	}
	together := 0
	for i := 1; i < len(received); i++ {
		if pts[i] <= pts[i-1] {
			t.Fatalf("unit %d: PTS %v after %v: out of order", i, pts[i], pts[i-1])
		}
		if received[i].Sub(received[i-1]) < time.Millisecond {
			together++
		}
	}
	// Read as they come, 20 ms apart, almost no two frames would arrive
	// within a millisecond; in 100 ms batches most do.
	if together < len(received)/3 {
		t.Fatalf("%d of %d frames arrived with the one before: not read in batches", together, len(received)-1)
	}
	t.Logf("%d of %d frames arrived with the one before", together, len(received)-1)
}
