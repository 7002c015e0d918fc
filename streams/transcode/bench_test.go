package transcode

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// figures are what one measured transcode costs.
type figures struct {
	ttff      time.Duration // Acquire to the first output keyframe
	cpu       float64       // ffmpeg CPU seconds per second of media
	fps       float64       // output frames per second seen by reader 0
	p50, p99  time.Duration // per-frame delay, input publish to output publish
	skips     uint64        // times a reader fell behind
	processes int
}

// measureTranscode plays c in real time through a software transcoder read
// by n readers for about d, and measures ffmpeg's CPU time (utime+stime
// from /proc) over that window.
func measureTranscode(tb testing.TB, c clip, n int, d time.Duration) figures {
	tb.Helper()
	in := hub.New(hub.Options{ID: "cam"})
	p := play(in, c)
	defer p.stop()
	p.waitPublished(tb, 26) // the hub holds half a GOP, as a live camera would
	tc := New(Options{Kind: VideoToH264, Input: in, ID: "cam/h264", Logger: testLogger(tb)})
	defer tc.Close()

	cols := make([]*collector, n)
	for i := range cols {
		cols[i] = collect(tc.Output())
	}
	start := time.Now()
	release := tc.Acquire()
	defer release()
	var f figures
	f.ttff = cols[0].waitKey(tb, start).Sub(start)
	cols[0].waitUnits(tb, cols[0].count()+25) // past the catch-up GOP

	// The window is d's worth of output frames at 25 fps: a busy machine
	// stretches it rather than cutting the sample short.
	pid := tc.pid()
	cpu0, t0 := cpuTime(tb, pid), time.Now()
	cols[0].waitUnits(tb, cols[0].count()+int(d/frameDur))
	cpu1, t1 := cpuTime(tb, pid), time.Now()
	for _, c := range cols {
		f.skips += c.r.Skips()
		c.stop()
	}
	f.cpu = (cpu1 - cpu0) / t1.Sub(t0).Seconds()
	f.processes = tc.processStarts()

	units, _ := cols[0].snapshot()
	var window []*media.AccessUnit
	for _, u := range units {
		if u.Received.After(t0) && u.Received.Before(t1) {
			window = append(window, u)
		}
	}
	f.fps = float64(len(window)) / t1.Sub(t0).Seconds()
	f.p50, f.p99 = p.delays(window)
	return f
}

// delays matches output units to the input units of the same PTS and
// returns the median and 99th percentile of the time between them.
func (p *player) delays(out []*media.AccessUnit) (time.Duration, time.Duration) {
	p.mu.Lock()
	sent := make(map[time.Duration]time.Time, len(p.published))
	for i, u := range p.published {
		sent[u.PTS.Round(time.Millisecond)] = p.times[i]
	}
	p.mu.Unlock()
	var ds []time.Duration
	for _, u := range out {
		if at, ok := sent[u.PTS.Round(time.Millisecond)]; ok {
			ds = append(ds, u.Received.Sub(at))
		}
	}
	if len(ds) == 0 {
		return 0, 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2], ds[len(ds)*99/100]
}

// cpuTime returns a process's user+system CPU seconds from /proc/<pid>/stat
// (fields 14 and 15, in USER_HZ = 100 ticks per second on Linux).
func cpuTime(tb testing.TB, pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

// BenchmarkTranscode1080p runs a 1080p25 H.265 camera through the software
// transcoder for 10 s with 1 and with 10 viewers. ffmpeg's CPU must not
// depend on the number of viewers.
func BenchmarkTranscode1080p(b *testing.B) {
	needFFmpeg(b)
	c := hevcClip(b, "1920x1080", 4) // looped
	cpu := map[int]float64{}
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
			var f figures
			for range b.N {
				f = measureTranscode(b, c, n, 10*time.Second)
			}
			b.ReportMetric(f.cpu, "cpu-s/media-s")
			b.ReportMetric(float64(f.ttff.Milliseconds()), "ttff-ms")
			b.ReportMetric(float64(f.p50.Milliseconds()), "p50-delay-ms")
			b.ReportMetric(float64(f.p99.Milliseconds()), "p99-delay-ms")
			b.ReportMetric(f.fps, "fps")
			b.ReportMetric(float64(f.skips), "skips")
			if f.processes != 1 || f.skips != 0 {
				b.Errorf("%d ffmpeg processes and %d skips for %d readers", f.processes, f.skips, n)
			}
			cpu[n] = f.cpu
		})
	}
	if cpu[1] > 0 && cpu[10] > cpu[1]*1.5 { // runs vary by ±20 % on a shared machine
		b.Errorf("ffmpeg CPU grew with readers: %.3f with 1, %.3f with 10", cpu[1], cpu[10])
	}
}
