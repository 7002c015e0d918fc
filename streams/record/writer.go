package record

import (
	"bytes"
	"errors"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

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
	firstPTS  time.Duration // PTS of the segment's first sample
	frag      []segstore.OutSample
	fragStart time.Duration
	pending   *media.AccessUnit // its duration is known at the next unit
	lastDur   time.Duration
	buf       []byte

	anchored   bool // wall clock = anchorWall + (PTS - anchorPTS)
	anchorWall time.Time
	anchorPTS  time.Duration

	track   media.Track // from the last status: parameter set fallback
	online  bool        // units after an offline status are stale leftovers
	paused  bool
	retryAt time.Time
}

func newWriter(r *Recorder) *writer { return &writer{r: r} }

func (w *writer) onStatus(s hub.Status) {
	w.track = s.Track
	w.online = s.State == hub.StateOnline
	if w.online && !recordable(s.Track) {
		// Segments hold H.264 in display order; an H.265 or B-frame
		// camera is shown live (transcoded) but not recorded yet.
		w.closeSegment()
		w.anchored = false
		w.online = false
		w.r.setState(StateIdle, ReasonUnsupportedCodec, string(s.Track.Codec), "")
		return
	}
	if w.online {
		return
	}
	// Offline or reconnecting: close the segment now. What follows is a
	// new stream that starts at its own keyframe, after a gap.
	w.closeSegment()
	w.anchored = false
	if !w.paused {
		w.r.setState(StateIdle, s.Reason, s.Detail, "")
	}
}

// recordable reports whether the recorder can write a track.
func recordable(t media.Track) bool {
	return (t.Codec == media.CodecH264 || t.Codec == "") && !t.Reordered
}

func (w *writer) onUnit(au *media.AccessUnit) {
	if w.pending != nil {
		gap := au.PTS - w.pending.PTS
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
	switch {
	case au.Key && (au.PTS-w.firstPTS >= w.r.opts.SegmentDuration || w.paramsChanged(au)):
		w.closeSegment()
	case au.Key, len(w.frag) > 0 && au.PTS-w.fragStart >= w.r.opts.FragmentDuration:
		w.flush()
	}
}

// push adds a unit whose duration is now known to the fragment.
func (w *writer) push(au *media.AccessUnit, dur time.Duration) {
	if w.seg == nil {
		return
	}
	if len(w.frag) == 0 {
		w.fragStart = au.PTS
	}
	// Durations come from the difference of rounded start times, so the
	// segment's media time never drifts from the camera's PTS.
	d := ticks(au.PTS+dur-w.firstPTS) - ticks(au.PTS-w.firstPTS)
	w.frag = append(w.frag, segstore.OutSample{Duration: uint32(max(d, 1)), Key: au.Key, NALUs: au.NALUs})
	w.lastDur = dur
}

func ticks(d time.Duration) int64 {
	return int64(d) * segstore.Timescale / int64(time.Second)
}

// flush writes the fragment being built.
func (w *writer) flush() {
	if w.seg == nil || len(w.frag) == 0 {
		return
	}
	var err error
	w.buf, err = w.seg.writeFragment(w.frag, w.buf)
	clear(w.frag) // drop references to the units' memory
	w.frag = w.frag[:0]
	if err != nil {
		w.fail(err)
		return
	}
	w.r.track(w.seg, true)
}

// open starts a segment at keyframe au; it reports whether one is open.
func (w *writer) open(au *media.AccessUnit) bool {
	if !au.Key || !w.online || (w.paused && time.Now().Before(w.retryAt)) {
		return false
	}
	in, err := w.initFor(au)
	if err != nil {
		w.r.log.Warn("record: cannot start a segment", "err", err)
		return false
	}
	start := w.wallClock(au)
	seg, err := createSegment(w.r.opts.FS, w.r.opts.Dir, start, in, w.buf)
	if err != nil {
		w.fail(err)
		return false
	}
	if w.paused {
		w.r.log.Info("record: disk writable again; recording resumed")
	}
	w.seg, w.paused, w.firstPTS = seg, false, au.PTS
	w.r.track(seg, true)
	w.r.setState(StateRecording, "", "", seg.path)
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
	if w.anchored {
		t := w.anchorWall.Add(au.PTS - w.anchorPTS)
		if d := t.Sub(recv); d < maxDrift && d > -maxDrift {
			return segstore.StartOf(t)
		}
	}
	w.anchored, w.anchorWall, w.anchorPTS = true, recv, au.PTS
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

// fail pauses recording after a write error. The segment keeps its
// complete fragments; the reader keeps draining so live view is unaffected.
func (w *writer) fail(err error) {
	if w.seg != nil {
		w.seg.abort()
		if w.seg.seq > 1 {
			w.r.track(w.seg, false)
		}
		w.seg = nil
	}
	clear(w.frag)
	w.frag, w.pending = w.frag[:0], nil
	reason := reasonOf(err)
	log := w.r.log.Error
	if w.paused && w.r.State().Reason == reason {
		log = w.r.log.Debug // a retry that failed the same way: said already
	}
	w.paused = true
	w.retryAt = time.Now().Add(w.r.opts.RetryInterval)
	log("record: write failed; recording paused", "reason", reason, "err", err,
		"retry_in", w.r.opts.RetryInterval)
	w.r.setState(StatePaused, reason, err.Error(), "")
}

// paramsChanged reports whether keyframe au carries parameter sets other
// than the open segment's (a resolution change): its header would lie.
func (w *writer) paramsChanged(au *media.AccessUnit) bool {
	sps, pps := paramSets(au.NALUs)
	return (sps != nil && !bytes.Equal(sps, w.seg.init.SPS)) ||
		(pps != nil && !bytes.Equal(pps, w.seg.init.PPS))
}

func paramSets(nalus [][]byte) (sps, pps []byte) {
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeSPS:
			sps = n
		case h264.NALUTypePPS:
			pps = n
		}
	}
	return sps, pps
}

var errNoParams = errors.New("record: no SPS/PPS for the keyframe")

// initFor builds a segment header from the keyframe's parameter sets, or
// the track's when the camera sends them out of band only.
func (w *writer) initFor(au *media.AccessUnit) (segstore.Init, error) {
	sps, pps := paramSets(au.NALUs)
	if sps == nil {
		sps = w.track.SPS
	}
	if pps == nil {
		pps = w.track.PPS
	}
	if len(sps) < 4 || len(pps) == 0 {
		return segstore.Init{}, errNoParams
	}
	// segstore.AppendInit needs an SPS that mediacommon parses: this is
	// the same parser, so a bad one is refused here, not there.
	var p h264.SPS
	if err := p.Unmarshal(sps); err != nil {
		return segstore.Init{}, err
	}
	return segstore.Init{Timescale: segstore.Timescale, Width: p.Width(), Height: p.Height(),
		SPS: bytes.Clone(sps), PPS: bytes.Clone(pps)}, nil
}
