// Package clip exports a time range of a camera's recordings as one
// standard MP4 (moov first, so it plays while downloading): a remux of the
// recorded H.264 or H.265, never a transcode. Export reads the segments'
// sample tables twice, once to size the moov and once to write it, and
// copies the media between files: its memory does not depend on the
// clip's length.
package clip

import (
	"errors"
	"fmt"
	"time"

	"vigil/streams/segstore"
)

// Errors a caller maps to user-facing messages.
var (
	ErrNoRecording = errors.New("clip: no recording in the requested range")
	ErrEmptyRange  = errors.New("clip: the range ends before it starts")
	ErrFuture      = errors.New("clip: the range starts in the future")
	ErrTooLong     = errors.New("clip: the range is longer than allowed")
)

// Store is the recording index an export reads. *segstore.Index
// implements it.
type Store interface {
	Segments(camera string, from, to time.Time) []segstore.Segment
	// Pin keeps segments from retention until release is called.
	Pin(segs []segstore.Segment) (release func())
}

// Exporter exports clips. Its zero options take the defaults.
type Exporter struct {
	Store Store
	// MaxDuration bounds a clip (default 1 h, at most 12 h: the MP4
	// headers written hold 32-bit durations at 90 kHz).
	MaxDuration time.Duration
	// GapTolerance is the longest hole between recorded frames that is not
	// reported as missing (default 500 ms).
	GapTolerance time.Duration
	Now          func() time.Time // for tests; default time.Now
}

const (
	defaultMaxDuration = time.Hour
	hardMaxDuration    = 12 * time.Hour
	defaultGapTol      = 500 * time.Millisecond
)

// Request is one export.
type Request struct {
	Camera   string
	From, To time.Time
	// Path is the MP4 to write. It appears only when complete: the
	// export writes Path+".part" and renames it.
	Path string
	// Progress, when set, is called with the fraction done (0..1), from
	// the exporting goroutine, at most about a hundred times.
	Progress func(done float64)
}

// Range is a span of wall-clock time. In Result.Missing, Reason says
// why it is missing (Reason* words); elsewhere it is empty.
type Range struct {
	From, To time.Time
	Reason   string
}

// Result describes a written clip.
type Result struct {
	Path string
	Size int64
	// From and To are what the clip plays: From is the request's From
	// unless recording began later, To the request's To unless it ended
	// earlier.
	From, To time.Time
	// MediaStart is the keyframe the media begins with, at or before From;
	// the MP4's edit list skips to From.
	MediaStart time.Time
	Frames     int
	Keyframes  int
	// Covered and Missing split the requested range into what the clip
	// shows and what it does not: not recorded (camera offline, recorder
	// paused), damaged (unreadable on disk) or tampered (fragments whose
	// hash no longer matched were left out). During a missing range
	// inside the clip the last picture stays.
	Covered []Range
	Missing []Range
	// Fragments says how the recorded fragments read were checked.
	Fragments FragmentCounts
}

func (e *Exporter) check(req *Request) error {
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	maxDur := e.MaxDuration
	if maxDur <= 0 {
		maxDur = defaultMaxDuration
	}
	maxDur = min(maxDur, hardMaxDuration)
	switch {
	case req.Camera == "" || req.Path == "":
		return errors.New("clip: camera and path are required")
	case !req.To.After(req.From):
		return ErrEmptyRange
	case !req.From.Before(now):
		return fmt.Errorf("%w (from %s, now %s)", ErrFuture, req.From.Format(time.RFC3339), now.Format(time.RFC3339))
	case req.To.Sub(req.From) > maxDur:
		return fmt.Errorf("%w: %v > %v", ErrTooLong, req.To.Sub(req.From), maxDur)
	}
	// A range reaching past now ends at the live edge.
	if req.To.After(now) {
		req.To = now
	}
	return nil
}
