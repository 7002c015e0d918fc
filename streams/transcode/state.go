package transcode

import "time"

// Phase is where a Transcoder stands.
type Phase string

// The phases of a Transcoder.
const (
	PhaseIdle        Phase = "idle"         // no viewers, no ffmpeg
	PhaseStarting    Phase = "starting"     // waiting for the input or ffmpeg's first frame
	PhaseRunning     Phase = "running"      // frames are coming out
	PhaseRestarting  Phase = "restarting"   // ffmpeg failed; waiting out the backoff
	PhaseNeedsFFmpeg Phase = "needs_ffmpeg" // no ffmpeg binary; retried every few seconds
	PhaseFailed      Phase = "failed"       // the input cannot be transcoded, or bad options
)

// Status reasons the output hub reports beside the input's own.
const (
	// ReasonNeedsFFmpeg is shown by the console: install ffmpeg.
	ReasonNeedsFFmpeg = "needs_ffmpeg"
	// ReasonRestarting is reported while ffmpeg is restarted after a failure.
	ReasonRestarting = "transcoder restarting"
	// ReasonFailed is reported when the options cannot work (unknown hwaccel).
	ReasonFailed = "transcoder_failed"
)

// State is a snapshot of a Transcoder for status reports.
type State struct {
	Phase    Phase     `json:"state"`
	Viewers  int       `json:"viewers"`
	Restarts int       `json:"restarts"`         // ffmpeg failures restarted since New
	Reason   string    `json:"reason,omitempty"` // why restarting, failed or waiting
	Since    time.Time `json:"since"`            // when Phase last changed
}

// State returns the current state.
func (t *Transcoder) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

func (t *Transcoder) setPhase(p Phase, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state.Phase != p {
		t.state.Since = time.Now()
	}
	t.state.Phase = p
	t.state.Reason = reason
}

func (t *Transcoder) setViewers(n int) {
	t.mu.Lock()
	t.state.Viewers = n
	t.mu.Unlock()
}

func (t *Transcoder) addRestart() {
	t.mu.Lock()
	t.state.Restarts++
	t.mu.Unlock()
}

// setPID records the running ffmpeg (0: none) and counts starts.
func (t *Transcoder) setPID(pid int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pidNow = pid
	if pid != 0 {
		t.starts++
	}
}

// pid returns the running ffmpeg's process id, 0 when none runs.
func (t *Transcoder) pid() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pidNow
}

// processStarts counts the ffmpeg processes started so far.
func (t *Transcoder) processStarts() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.starts
}
