package transcode

import (
	"testing"
	"time"
)

func TestWatchdog(t *testing.T) {
	t0 := time.Now()
	later := t0.Add(stallTimeout + time.Second)

	w := watchdog{timeout: stallTimeout}
	for range stallUnits - 1 { // a paused camera: a few units held inside
		w.writeStart(t0)
		w.writeDone()
	}
	if w.stalled(later) {
		t.Fatal("units held by the decoder taken for a stall")
	}
	w.writeStart(t0)
	w.writeDone()
	if !w.stalled(later) {
		t.Fatal("input going in without output not detected")
	}
	w.output()
	if w.stalled(later) {
		t.Fatal("stall reported after output")
	}

	blocked := watchdog{timeout: stallTimeout}
	blocked.writeStart(t0) // ffmpeg stopped reading stdin
	if blocked.stalled(t0.Add(time.Second)) || !blocked.stalled(later) {
		t.Fatal("a blocked write not detected after the timeout only")
	}
}
