package gateway

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestCameraRunnersNeverOverlap(t *testing.T) {
	r := newCameraRunners()
	var active, maxActive, runs atomic.Int32
	release := make(chan struct{})
	work := func(ctx context.Context) {
		n := active.Add(1)
		if n > maxActive.Load() {
			maxActive.Store(n)
		}
		runs.Add(1)
		<-ctx.Done()
		<-release // a slow shutdown, as a recorder flushing its segment
		active.Add(-1)
	}
	r.start("cam", work)
	r.start("cam", work) // already on: nothing new
	if !r.running("cam") {
		t.Fatal("not running after start")
	}
	r.stop("cam")
	if r.running("cam") {
		t.Fatal("running after stop")
	}
	r.start("cam", work) // waits for the first run to end
	close(release)
	r.close()
	if maxActive.Load() != 1 || runs.Load() != 2 {
		t.Fatalf("max active %d, runs %d", maxActive.Load(), runs.Load())
	}
	r.start("cam", work) // after close: refused
	if runs.Load() != 2 {
		t.Fatal("started after close")
	}
}
