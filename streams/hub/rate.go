package hub

import "time"

// rateMeter counts frames and bytes in whole-second windows and reports the
// last complete one, which is steadier than an instant rate and needs no
// timer goroutine.
type rateMeter struct {
	window                time.Time // start of the current window
	frames, bytes         int
	lastFrames, lastBytes int
	lastDur               time.Duration
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
	if elapsed < 2*time.Second {
		m.lastFrames, m.lastBytes = m.frames, m.bytes
	} else {
		m.lastFrames, m.lastBytes = 0, 0 // a silent second in between
	}
	m.lastDur = elapsed
	m.window = now
	m.frames, m.bytes = 0, 0
}

// rates returns frames per second and bits per second of the last complete
// window, or zero when the stream has been silent for two seconds.
func (m *rateMeter) rates(now time.Time) (fps, bps float64) {
	if m.window.IsZero() || now.Sub(m.window) > 2*time.Second {
		return 0, 0
	}
	if m.lastDur <= 0 {
		return 0, 0
	}
	secs := m.lastDur.Seconds()
	return float64(m.lastFrames) / secs, float64(m.lastBytes) * 8 / secs
}
