package sim

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"vigil/streams/onvif"
)

// PTZSpeed is how far a position moves per second at velocity 1: across
// the whole pan range (−1…1) in 4 s.
const PTZSpeed = 0.5

// ErrNoPreset is a preset token the dome does not know.
var ErrNoPreset = errors.New("sim ptz: no such preset")

// PTZ is a simulated dome's mechanics: a position (pan and tilt −1…1, zoom
// 0…1) that a continuous move integrates over time, and presets. The
// camera's picture is a window whose place follows the position.
type PTZ struct {
	mu      sync.Mutex
	now     func() time.Time
	pos     onvif.Vector // at since
	vel     onvif.Vector
	since   time.Time
	until   time.Time // a move's timeout; zero: none
	presets []ptzPreset
	nextID  int
	// ignoreTimeout drops a move's timeout, as many real domes do: only
	// the client's Stop ends the move.
	ignoreTimeout bool
}

type ptzPreset struct {
	onvif.Preset
	pos onvif.Vector
}

// NewPTZ is a dome at home (0, 0, 0), at rest.
func NewPTZ() *PTZ {
	return &PTZ{now: time.Now, since: time.Now()}
}

// settle folds the running move into pos up to now; callers hold mu.
func (p *PTZ) settle() {
	now := p.now()
	end := now
	if !p.until.IsZero() && p.until.Before(end) {
		end = p.until
	}
	if dt := end.Sub(p.since).Seconds(); dt > 0 {
		p.pos = clampPosition(onvif.Vector{
			Pan:  p.pos.Pan + p.vel.Pan*PTZSpeed*dt,
			Tilt: p.pos.Tilt + p.vel.Tilt*PTZSpeed*dt,
			Zoom: p.pos.Zoom + p.vel.Zoom*PTZSpeed*dt,
		})
	}
	if !p.until.IsZero() && !now.Before(p.until) {
		p.vel, p.until = onvif.Vector{}, time.Time{}
	}
	p.since = now
}

func clampPosition(v onvif.Vector) onvif.Vector {
	return onvif.Vector{Pan: min(1, max(-1, v.Pan)), Tilt: min(1, max(-1, v.Tilt)), Zoom: min(1, max(0, v.Zoom))}
}

// Position is where the dome is now.
func (p *PTZ) Position() onvif.Vector {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle()
	return p.pos
}

// Moving tells whether a continuous move runs.
func (p *PTZ) Moving() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle()
	return p.vel != onvif.Vector{}
}

// Move starts a continuous move at v (clamped to −1…1); timeout > 0 stops
// it after that long.
func (p *PTZ) Move(v onvif.Vector, timeout time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle()
	p.vel = onvif.Vector{Pan: min(1, max(-1, v.Pan)), Tilt: min(1, max(-1, v.Tilt)), Zoom: min(1, max(-1, v.Zoom))}
	p.until = time.Time{}
	if timeout > 0 && !p.ignoreTimeout {
		p.until = p.since.Add(timeout)
	}
}

// IgnoreMoveTimeouts makes the dome ignore the timeout of continuous
// moves, as many real domes do: a move then runs until Stop.
func (p *PTZ) IgnoreMoveTimeouts(ignore bool) {
	p.mu.Lock()
	p.ignoreTimeout = ignore
	p.mu.Unlock()
}

// Stop ends a move.
func (p *PTZ) Stop() { p.Move(onvif.Vector{}, 0) }

// Relative moves by t at once.
func (p *PTZ) Relative(t onvif.Vector) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle()
	p.vel, p.until = onvif.Vector{}, time.Time{}
	p.pos = clampPosition(onvif.Vector{Pan: p.pos.Pan + t.Pan, Tilt: p.pos.Tilt + t.Tilt, Zoom: p.pos.Zoom + t.Zoom})
}

// SavePreset stores the position under name and returns its token.
func (p *PTZ) SavePreset(name string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle()
	p.nextID++
	token := strconv.Itoa(p.nextID)
	p.presets = append(p.presets, ptzPreset{Preset: onvif.Preset{Token: token, Name: name}, pos: p.pos})
	return token
}

// Goto stops any move and jumps to a preset.
func (p *PTZ) Goto(token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.presets {
		if s.Token == token {
			p.settle()
			p.vel, p.until, p.pos = onvif.Vector{}, time.Time{}, s.pos
			return nil
		}
	}
	return ErrNoPreset
}

// RemovePreset deletes a preset.
func (p *PTZ) RemovePreset(token string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range p.presets {
		if s.Token == token {
			p.presets = append(p.presets[:i], p.presets[i+1:]...)
			return nil
		}
	}
	return ErrNoPreset
}

// Presets lists the presets.
func (p *PTZ) Presets() []onvif.Preset {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]onvif.Preset, len(p.presets))
	for i, s := range p.presets {
		out[i] = s.Preset
	}
	return out
}

// View is the picture window's place for the position: pan right moves
// the window right, tilt up moves it up.
func (p *PTZ) View() (fx, fy float64) {
	pos := p.Position()
	return (pos.Pan + 1) / 2, (1 - pos.Tilt) / 2
}
