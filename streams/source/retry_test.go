package source

import (
	"testing"
	"time"
)

func TestProbeScheduleBacksOffWithDownTime(t *testing.T) {
	for _, tc := range []struct {
		down time.Duration
		want time.Duration
	}{
		{0, 200 * time.Millisecond},
		{10 * time.Second, 200 * time.Millisecond},
		{59 * time.Second, 200 * time.Millisecond},
		{time.Minute, time.Second},
		{time.Minute + 59*time.Second, time.Second},
		{2 * time.Minute, 2 * time.Second},
		{3 * time.Minute, 4 * time.Second},
		{4 * time.Minute, 8 * time.Second},
		{5 * time.Minute, 10 * time.Second},
		{24 * time.Hour, 10 * time.Second},
		{365 * 24 * time.Hour, 10 * time.Second},
	} {
		if got := probeInterval(tc.down); got != tc.want {
			t.Errorf("down %v: probe every %v, want %v", tc.down, got, tc.want)
		}
	}
}
