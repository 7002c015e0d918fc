package playback

import (
	"errors"
	"math"
	"testing"
	"time"
)

// A clock's time follows its anchor at its speed; pause freezes it and a
// speed change keeps the moment shown.
func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	wall := t0.Add(time.Hour)
	c, err := NewClock(t0, 2)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return wall }
	c.Seek(t0)
	wall = wall.Add(time.Second)
	if got := c.Now(); !got.Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("2× after 1 s: %v", got)
	}
	if err := c.SetSpeed(0.5); err != nil {
		t.Fatal(err)
	}
	wall = wall.Add(2 * time.Second)
	if got := c.Now(); !got.Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("then 0.5× for 2 s: %v", got)
	}
	c.Pause()
	wall = wall.Add(time.Minute)
	if got := c.Now(); !got.Equal(t0.Add(3 * time.Second)) {
		t.Fatalf("paused: %v", got)
	}
	for _, s := range []float64{0, 0.1, 16.5, math.NaN(), math.Inf(1)} {
		if err := c.SetSpeed(s); !errors.Is(err, ErrSpeed) {
			t.Errorf("speed %v: %v", s, err)
		}
	}
}
