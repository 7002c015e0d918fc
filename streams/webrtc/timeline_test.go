package webrtc

import (
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestTimelineJoinBurstThenLive(t *testing.T) {
	var tl timeline
	now := time.Now()
	pts := []time.Duration{ms(0), ms(40), ms(80)}
	ts := tl.burst(pts, now)
	for k := 1; k < len(ts); k++ {
		if ts[k]-ts[k-1] != 90 {
			t.Fatalf("join burst spacing %d ticks, want 90 (1 ms)", ts[k]-ts[k-1])
		}
	}
	live := tl.live(ms(120), now.Add(ms(40)))
	if live-ts[2] != 3600 {
		t.Fatalf("first live frame %d ticks after the burst, want 3600 (its camera spacing)", live-ts[2])
	}
}

func TestTimelineSwitchSqueezesBurstBeforeNow(t *testing.T) {
	var tl timeline
	now := time.Now()
	first := tl.live(ms(1000), now)
	// 400 ms later the tile switches to another camera with a 3-frame GOP cache.
	tl.unmap()
	now = now.Add(ms(400))
	ts := tl.burst([]time.Duration{ms(50_000), ms(50_040), ms(50_080)}, now)
	want := first + 400*90
	if ts[2] != want {
		t.Fatalf("last cached frame at %d, want wall-clock now %d", ts[2], want)
	}
	if ts[0] <= first || ts[1] <= ts[0] {
		t.Fatalf("burst not strictly increasing after %d: %v", first, ts)
	}
	if got := tl.live(ms(50_120), now.Add(ms(40))); got != want+3600 {
		t.Fatalf("live after switch at %d, want %d", got, want+3600)
	}
}

func TestTimelineNeverGoesBack(t *testing.T) {
	var tl timeline
	now := time.Now()
	a := tl.live(ms(500), now)
	b := tl.live(ms(400), now) // camera went backwards
	if b <= a {
		t.Fatalf("timestamp went back: %d then %d", a, b)
	}
	// A burst with no time elapsed still moves forward.
	ts := tl.burst([]time.Duration{ms(1), ms(2)}, now)
	if ts[0] <= b || ts[1] <= ts[0] {
		t.Fatalf("burst %v not after %d", ts, b)
	}
}
