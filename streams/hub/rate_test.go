package hub

import (
	"math"
	"testing"
	"time"
)

// feedGOPs adds seconds of a 25 fps stream whose 2 s GOP opens with a
// 100 kB keyframe, the others 2 kB: 198 kB per GOP, 792 kb/s on average.
func feedGOPs(m *rateMeter, start time.Time, seconds int) time.Time {
	now := start
	for i := range seconds * 25 {
		size := 2000
		if i%50 == 0 {
			size = 100_000
		}
		now = start.Add(time.Duration(i) * 40 * time.Millisecond)
		m.add(now, size)
	}
	return now
}

// TestBitrateSteadyAcrossKeyframes is the figure the console shows: with
// a per-second figure it swung between 1,184 and 400 kb/s with the GOP.
func TestBitrateSteadyAcrossKeyframes(t *testing.T) {
	t.Parallel()
	var m rateMeter
	start := time.Unix(1_000_000, 0)
	now := feedGOPs(&m, start, 6)
	lo, hi := math.Inf(1), 0.0
	for i := range 4 * 25 {
		now = now.Add(40 * time.Millisecond)
		size := 2000
		if (i+150)%50 == 0 {
			size = 100_000
		}
		m.add(now, size)
		_, bps := m.rates(now)
		lo, hi = min(lo, bps), max(hi, bps)
	}
	if lo < 690_000 || hi > 890_000 {
		t.Fatalf("bitrate between %.0f and %.0f b/s, want near 792,000 throughout", lo, hi)
	}
}

func TestRatesAfterSilence(t *testing.T) {
	t.Parallel()
	var m rateMeter
	start := time.Unix(1_000_000, 0)
	now := feedGOPs(&m, start, 6)
	if fps, _ := m.rates(now); math.Abs(fps-25) > 1 {
		t.Fatalf("fps %.1f, want 25", fps)
	}
	if fps, bps := m.rates(now.Add(3 * time.Second)); fps != 0 || bps != 0 {
		t.Fatalf("silent 3 s: %v fps %v b/s, want 0", fps, bps)
	}
	// Back after 5 s of silence: the figures before the gap are not mixed in.
	back := now.Add(5 * time.Second)
	m.add(back, 1000)
	m.add(back.Add(1100*time.Millisecond), 1000)
	if fps, _ := m.rates(back.Add(1100 * time.Millisecond)); math.Abs(fps-1/1.1) > 0.01 {
		t.Fatalf("first window after the gap: %v fps, want 1 frame in 1.1 s", fps)
	}
}

func TestKeyframeIsCachedGOPStart(t *testing.T) {
	t.Parallel()
	h := New(Options{ID: "k"})
	if h.Keyframe() != nil {
		t.Fatal("keyframe before any unit")
	}
	key := unit(0, true)
	h.Publish(key)
	last := unit(1, false)
	h.Publish(last)
	if got := h.Stats().LastFrame; !got.Equal(last.Received) {
		t.Fatalf("last frame at %v, want %v", got, last.Received)
	}
	if h.Keyframe() != key {
		t.Fatal("keyframe is not the GOP's first unit")
	}
	h.SetStatus(Status{State: StateOnline})
	h.SetStatus(Status{State: StateOffline})
	h.SetStatus(Status{State: StateConnecting})
	if n := h.Stats().Outages; n != 1 {
		t.Fatalf("outages %d, want 1 (online to offline; offline to connecting is no new one)", n)
	}
	if h.Keyframe() != nil {
		t.Fatal("keyframe kept after going offline")
	}
}
