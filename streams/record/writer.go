package record

import (
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/segstore"
)

const (
	// maxFrameGap is the longest pause between two units that still counts
	// as one continuous recording; longer (a reader skip, a stall) ends the
	// segment, leaving an honest gap instead of one frame frozen for it.
	maxFrameGap = 2 * time.Second
	// maxDrift is how far the camera clock may drift from the wall clock
	// before a new segment is re-anchored to the wall clock.
	maxDrift = time.Second
	// defaultFrame stands in for the duration of a segment's last frame
	// when the camera gave no earlier one to copy.
	defaultFrame = 40 * time.Millisecond
)

// writer turns access units into segments. It lives in Run's goroutine.
type writer struct {
	r *Recorder

	seg       *segment
	firstDTS  time.Duration // decode time of the segment's first sample
	frag      []segstore.OutSample
	fragStart time.Duration
	pending   *media.AccessUnit // its duration is known at the next unit
	lastDur   time.Duration
	buf       []byte

	anchored   bool // wall clock = anchorWall + (decode time - anchorPTS)
	anchorWall time.Time
	anchorPTS  time.Duration

	// link is the camera's fragment chain so far; linked once it was
	// read from the newest segment on disk.
	link   segstore.Link
	linked bool

	audioIn *audioIn   // nil: the camera's sound is not recorded
	audio   audioTrack // the open segment's sound

	track  media.Track // from the last status: parameter set fallback
	online bool        // units after an offline status are stale leftovers
	pause  pauseState
}

func newWriter(r *Recorder) *writer { return &writer{r: r} }

func (w *writer) onStatus(s hub.Status) {
	w.track = s.Track
	w.online = s.State == hub.StateOnline
	if w.online && !recordable(s.Track) {
		// Segments hold H.264 or H.265; another codec is shown live
		// (transcoded) but cannot be recorded, and the state says so.
		w.closeSegment()
		w.anchored = false
		w.online = false
		w.r.setState(StateUnsupported, ReasonUnsupportedCodec, string(s.Track.Codec), "")
		return
	}
	if w.online {
		// A new codec needs a new header: the next keyframe starts a
		// segment in it. B-frames being found changes nothing: decode
		// times and offsets were right from the first unit.
		if w.seg != nil && codecOf(s.Track) != w.seg.init.Codec {
			w.closeSegment()
		}
		if w.r.State().State == StateUnsupported {
			w.r.setState(StateIdle, "", "", "")
		}
		return
	}
	// Offline or reconnecting: close the segment now. What follows is a
	// new stream that starts at its own keyframe, after a gap.
	w.closeSegment()
	w.anchored = false
	if !w.pause.paused {
		w.r.setState(StateIdle, s.Reason, s.Detail, "")
	}
}

// recordable reports whether the recorder can write a track: H.264 or
// H.265, B-frames included (their composition offsets are recorded).
func recordable(t media.Track) bool {
	c := codecOf(t)
	return c == media.CodecH264 || c == media.CodecH265
}

// decodeTime is au's place on the segment's timeline: its DTS, which
// the normalizers set on every unit (equal to PTS without B-frames, and
// behind it from a B-frame stream's first unit on, before the stream is
// known to be Reordered). A unit without one (DTS 0 while PTS is not,
// from a publisher that sets PTS only) is placed by its PTS.
func (w *writer) decodeTime(au *media.AccessUnit) time.Duration {
	if au.DTS == 0 && au.PTS != 0 {
		return au.PTS
	}
	return au.DTS
}

// codecOf is the track's video codec; a status without one is H.264.
func codecOf(t media.Track) media.Codec {
	if t.Codec == "" {
		return media.CodecH264
	}
	return t.Codec
}

func (w *writer) onUnit(au *media.AccessUnit) {
	if w.pending != nil {
		gap := w.decodeTime(au) - w.decodeTime(w.pending)
		if gap <= 0 || gap > maxFrameGap {
			w.closeSegment()
		} else {
			w.push(w.pending, gap)
		}
		w.pending = nil
	}
	if w.seg != nil {
		w.cutBefore(au)
	}
	if w.seg == nil && !w.open(au) {
		return
	}
	w.pending = au
}

// cutBefore ends the fragment (and maybe the segment) before au.
func (w *writer) cutBefore(au *media.AccessUnit) {
	t := w.decodeTime(au)
	switch {
	case au.Key && (t-w.firstDTS >= w.r.opts.SegmentDuration || w.paramsChanged(au)):
		w.closeSegment()
	case au.Key, len(w.frag) > 0 && t-w.fragStart >= w.r.opts.FragmentDuration:
		w.flush()
	}
}

// push adds a unit whose duration is now known to the fragment.
func (w *writer) push(au *media.AccessUnit, dur time.Duration) {
	if w.seg == nil {
		return
	}
	t := w.decodeTime(au)
	if len(w.frag) == 0 {
		w.fragStart = t
	}
	// Durations come from the difference of rounded start times, so the
	// segment's media time never drifts from the camera's clock.
	d := ticks(t+dur-w.firstDTS) - ticks(t-w.firstDTS)
	off := ticks(au.PTS-w.firstDTS) - ticks(t-w.firstDTS)
	w.frag = append(w.frag, segstore.OutSample{Duration: uint32(max(d, 1)), PTSOffset: int32(off), Key: au.Key, NALUs: au.NALUs})
	w.lastDur = dur
}

// ticks converts to the segment clock, rounding to the nearest tick:
// the camera's 90 kHz timestamps come back exactly after their trip
// through time.Duration, which truncation would not always give.
func ticks(d time.Duration) int64 {
	n := int64(d) * segstore.Timescale
	if n < 0 {
		return (n - int64(time.Second)/2) / int64(time.Second)
	}
	return (n + int64(time.Second)/2) / int64(time.Second)
}

// flush writes the fragment being built.
func (w *writer) flush() {
	if w.seg == nil || len(w.frag) == 0 {
		return
	}
	var err error
	abase, audio := w.audio.collect(w.audioIn, w.seg.start)
	w.buf, err = w.seg.writeFragment(w.frag, abase, audio, w.buf)
	clear(w.frag) // drop references to the units' memory
	w.frag = w.frag[:0]
	w.link = w.seg.link
	if err != nil {
		w.fail(err)
		return
	}
	w.resumed()
	w.r.track(w.seg, true)
}

// open starts a segment at keyframe au; it reports whether one is open.
func (w *writer) open(au *media.AccessUnit) bool {
	if !au.Key || !w.online || !w.mayRetry() {
		return false
	}
	in, err := w.initFor(au)
	if err != nil {
		w.r.log.Warn("record: cannot start a segment", "err", err)
		return false
	}
	in.Audio = w.audio.begin(w.audioIn)
	start := w.wallClock(au)
	if !w.linked {
		w.link, w.linked = segstore.LastLink(w.r.opts.Dir), true
	}
	seg, err := createSegment(w.r.opts.FS, w.r.opts.Dir, start, in, w.link, w.buf)
	if err != nil {
		w.fail(err)
		return false
	}
	w.seg, w.firstDTS = seg, w.decodeTime(au)
	w.r.track(seg, true)
	if !w.pause.paused {
		// After a pause, recording resumes with the first fragment on disk.
		w.r.setState(StateRecording, "", "", seg.path)
	}
	return true
}

// wallClock maps au's PTS to the wall clock. Consecutive segments keep the
// same mapping, so they join without gaps or overlaps; it is re-anchored to
// the arrival time after a reconnect or when the clocks drift apart.
func (w *writer) wallClock(au *media.AccessUnit) time.Time {
	recv := au.Received
	if recv.IsZero() {
		recv = time.Now()
	}
	at := w.decodeTime(au)
	if w.anchored {
		t := w.anchorWall.Add(at - w.anchorPTS)
		if d := t.Sub(recv); d < maxDrift && d > -maxDrift {
			return segstore.StartOf(t)
		}
	}
	w.anchored, w.anchorWall, w.anchorPTS = true, recv, at
	return segstore.StartOf(recv)
}

// closeSegment writes what is buffered and makes the segment durable.
func (w *writer) closeSegment() {
	if w.seg == nil {
		w.pending = nil
		return
	}
	if w.pending != nil {
		d := w.lastDur
		if d <= 0 {
			d = defaultFrame
		}
		w.push(w.pending, d)
		w.pending = nil
	}
	w.flush()
	if w.seg == nil { // the flush failed
		return
	}
	seg := w.seg
	w.seg = nil
	if err := seg.close(); err != nil {
		w.fail(err)
		return
	}
	w.r.track(seg, false)
}
