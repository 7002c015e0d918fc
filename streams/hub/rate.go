package hub

import "time"

// rateWindows is how many whole seconds the rates average over. One
// second made the bitrate jump with each keyframe (a steady camera read
// 3,419 kb/s in the second with its IDR and 553 in the next); a GOP is
// usually 1–4 s, so five seconds hold at least one whole GOP.
const rateWindows = 5

// rateMeter counts frames and bytes in whole-second windows and reports
// the average of the last complete ones, which needs no timer goroutine.
type rateMeter struct {
	window        time.Time // start of the current window
	frames, bytes int
	done          [rateWindows]rateWindow // complete windows, a ring
	next, count   int
}

type rateWindow struct {
	frames, bytes int
	dur           time.Duration
}

func (m *rateMeter) add(now time.Time, size int) {
	m.roll(now)
	m.frames++
	m.bytes += size
}

func (m *rateMeter) roll(now time.Time) {
	if m.window.IsZero() {
		m.window = now
		return
	}
	elapsed := now.Sub(m.window)
	if elapsed < time.Second {
		return
	}
	if elapsed >= 2*time.Second {
		// A silent second in between: the old average is void, and the
		// figure starts again with the first window after the gap.
		m.count = 0
	} else {
		m.done[m.next] = rateWindow{frames: m.frames, bytes: m.bytes, dur: elapsed}
		m.next = (m.next + 1) % rateWindows
		m.count = min(m.count+1, rateWindows)
	}
	m.window = now
	m.frames, m.bytes = 0, 0
}

// rates returns frames per second and bits per second averaged over the
// last complete windows, or zero when the stream has been silent for two
// seconds.
func (m *rateMeter) rates(now time.Time) (fps, bps float64) {
	if m.window.IsZero() || now.Sub(m.window) > 2*time.Second || m.count == 0 {
		return 0, 0
	}
	var frames, bytes int
	var dur time.Duration
	for i := range m.count {
		w := m.done[(m.next-1-i+rateWindows)%rateWindows]
		frames, bytes, dur = frames+w.frames, bytes+w.bytes, dur+w.dur
	}
	secs := dur.Seconds()
	return float64(frames) / secs, float64(bytes) * 8 / secs
}
