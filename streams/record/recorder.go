// Package record writes one camera's stream to disk as fragmented MP4
// segments that start on keyframes and are named by their wall-clock
// start (see segstore). A recorder is one more hub reader: it never slows
// live viewing, and a failing disk pauses it instead of stopping it.
package record

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"vigil/streams/hub"
)

// Tracker learns what a recorder writes, so the index knows the segment
// in progress without rescanning. *segstore.Index implements it.
type Tracker interface {
	RecordingProgress(camera, path string, start, end time.Time, size int64, active bool)
}

// Options configure a Recorder. Zero durations take the defaults.
type Options struct {
	CameraID string
	Dir      string // <data>/rec/<camera>
	Hub      *hub.Hub
	// AudioHub, when set, is the camera's sound (the hub the live path
	// plays from): AAC, Opus and G.711 are recorded beside the video.
	AudioHub *hub.Hub
	// SegmentDuration is the target segment length (default 60 s); cuts
	// happen at the first keyframe after it.
	SegmentDuration time.Duration
	// QueueFrames is how many video units the recorder's hub reader
	// holds while the disk is slow (default 1500, a minute at 25 fps):
	// a reader that overflows skips to the next keyframe, and those
	// frames are lost to the recording.
	QueueFrames int
	// FragmentDuration bounds a fragment (default 1 s): at most this much
	// video is lost in a crash. A fragment also ends at every keyframe.
	FragmentDuration time.Duration
	// RetryInterval is how long a paused recorder waits before trying the
	// disk again (default 5 s); it doubles with every failed retry, up to
	// MaxRetryInterval (default 1 min), each wait jittered by ±25 %.
	RetryInterval    time.Duration
	MaxRetryInterval time.Duration
	// ResumeFreeBytes is the free space a full disk must have again before
	// a paused recorder retries (default 64 MiB): without this margin a
	// disk that frees a few kilobytes at a time pauses and resumes again
	// and again.
	ResumeFreeBytes int64
	Logger          *slog.Logger
	// OnState is called (from the recorder's goroutine) when the state or
	// its reason changes. It must not block.
	OnState func(RecState)
	Tracker Tracker
	FS      FS // default OSFS
}

// defaultQueueFrames rides out a minute of stalled disk at 25 fps; the
// queue holds pointers to units the hub already has.
const defaultQueueFrames = 1500

// defaultResumeFreeBytes is a few minutes of a high-bitrate camera.
const defaultResumeFreeBytes = 64 << 20

// States of a recorder.
const (
	StateIdle      = "idle"      // waiting for the camera's video
	StateRecording = "recording" // writing a segment
	StatePaused    = "paused"    // the disk refused a write; retrying
	StateStopped   = "stopped"   // Run returned
	// StateUnsupported: the camera sends what segments cannot hold (a
	// video codec other than H.264 and H.265); Reason and Detail say what.
	StateUnsupported = "unsupported"
)

// RecState is a recorder's state as reported to the gateway.
type RecState struct {
	Camera  string
	State   string
	Reason  string // why paused (Reason* words) or idle (the camera's reason)
	Detail  string // the error text, for the log and admins
	Since   time.Time
	Segment string // path being written, when recording
	// DamagedSegments counts the camera's segments that start-up repair
	// found damaged and quarantined (segstore.Index.Damaged), filled in
	// by whoever holds the index: the recorder never sees them.
	DamagedSegments int
	LastDamage      time.Time // when the newest of them was found
}

// Recorder records one camera.
type Recorder struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	state RecState
}

// New checks opts and fills in the defaults.
func New(opts Options) (*Recorder, error) {
	if opts.Hub == nil || opts.Dir == "" || opts.CameraID == "" {
		return nil, errors.New("record: CameraID, Dir and Hub are required")
	}
	setDefault(&opts.SegmentDuration, time.Minute)
	setDefault(&opts.FragmentDuration, time.Second)
	setDefault(&opts.RetryInterval, 5*time.Second)
	setDefault(&opts.MaxRetryInterval, time.Minute)
	opts.MaxRetryInterval = max(opts.MaxRetryInterval, opts.RetryInterval)
	if opts.QueueFrames <= 0 {
		opts.QueueFrames = defaultQueueFrames
	}
	if opts.ResumeFreeBytes <= 0 {
		opts.ResumeFreeBytes = defaultResumeFreeBytes
	}
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	r := &Recorder{opts: opts, log: log.With("camera", opts.CameraID)}
	r.state = RecState{Camera: opts.CameraID, State: StateIdle, Since: time.Now()}
	return r, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// State returns the current state.
func (r *Recorder) State() RecState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// Run records until ctx is canceled, closing the open segment on return.
func (r *Recorder) Run(ctx context.Context) {
	rd := r.opts.Hub.NewBackgroundReader(r.opts.QueueFrames)
	defer rd.Close()
	w := newWriter(r)
	if r.opts.AudioHub != nil {
		w.audioIn = attachAudio(r.opts.AudioHub)
		actx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { w.audioIn.run(actx) })
		defer wg.Wait()
		defer cancel() // after the last segment took its sound
	}
	var skips uint64
	defer func() {
		w.closeSegment()
		r.setState(StateStopped, "", "", "")
	}()
	for {
		d, err := rd.Read(ctx)
		if err != nil {
			return
		}
		if n := rd.Skips(); n > skips {
			skips = n
			r.log.Warn("record: fell behind the camera (disk too slow); frames up to the next keyframe are missing from the recording",
				"queue_frames", r.opts.QueueFrames, "times", n)
		}
		if d.Status != nil {
			w.onStatus(*d.Status)
			continue
		}
		for _, au := range d.Units {
			w.onUnit(au)
		}
	}
}

// setState records a state and tells OnState when state or reason changed.
func (r *Recorder) setState(state, reason, detail, segment string) {
	r.mu.Lock()
	old := r.state
	changed := old.State != state || old.Reason != reason
	r.state.State, r.state.Reason, r.state.Detail, r.state.Segment = state, reason, detail, segment
	if changed {
		r.state.Since = time.Now()
	}
	s := r.state
	r.mu.Unlock()
	if changed && r.opts.OnState != nil {
		r.opts.OnState(s)
	}
}

func (r *Recorder) track(seg *segment, active bool) {
	if r.opts.Tracker != nil {
		r.opts.Tracker.RecordingProgress(r.opts.CameraID, seg.path, seg.start, seg.end(), seg.size, active)
	}
}
