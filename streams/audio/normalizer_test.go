package audio

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func TestFramesKeptAndTimed(t *testing.T) {
	t.Parallel()
	n := Normalizer{ClockRate: 8000, MaxFrameSize: 400}
	a := n.Normalize([][]byte{make([]byte, 160)}, 1000, t0)
	b := n.Normalize([][]byte{{}, make([]byte, 500), make([]byte, 160)}, 1160, t0.Add(20*time.Millisecond))
	if a == nil || b == nil || !a.Key || !b.Key {
		t.Fatal("frames lost")
	}
	if d := b.PTS - a.PTS; d != 20*time.Millisecond {
		t.Fatalf("step %v, want 20ms", d)
	}
	if len(b.NALUs) != 1 || n.Counters().BrokenFrames != 2 {
		t.Fatalf("kept %d, broken %d", len(b.NALUs), n.Counters().BrokenFrames)
	}
	if n.Normalize([][]byte{{}}, 1320, t0) != nil {
		t.Fatal("unit without frames")
	}
}

func TestReconnectContinues(t *testing.T) {
	t.Parallel()
	n := Normalizer{ClockRate: 48000}
	a := n.Normalize([][]byte{{1}}, 480000, t0)
	n.Reconnected()
	b := n.Normalize([][]byte{{1}}, 0, t0.Add(5*time.Second))
	if d := b.PTS - a.PTS; d != 5*time.Second {
		t.Fatalf("after reconnect step %v, want 5s", d)
	}
}

// FuzzNormalize: timestamps only grow and no empty unit leaves.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte{1, 2}, int64(0), uint16(8000))
	f.Fuzz(func(t *testing.T, frame []byte, ticks int64, rate uint16) {
		n := Normalizer{ClockRate: int(rate), MaxFrameSize: 64}
		var last time.Duration = -1
		for i := range int64(3) {
			au := n.Normalize([][]byte{frame, frame}, ticks+i*160, t0.Add(time.Duration(i)*20*time.Millisecond))
			if au == nil {
				continue
			}
			if len(au.NALUs) == 0 || au.PTS <= last {
				t.Fatalf("unit %v after %v", au.PTS, last)
			}
			last = au.PTS
		}
	})
}
