package clip

import (
	"time"

	"vigil/streams/segstore"
)

// timescale is the clip's media clock, the same 90 kHz as the segments.
const timescale = 90000

// sample is one sample as it will appear in the clip.
type sample struct {
	dts   int64 // ticks since the clip's origin (its first keyframe)
	dur   uint32
	cto   int32 // composition offset (B-frames), ticks
	size  uint32
	key   bool
	seg   int   // index of the source segment
	off   int64 // payload position in the segment file
	chunk bool  // starts a new chunk: not contiguous with the previous
}

// rawSample is a sample before its final duration is known.
type rawSample struct {
	dts    int64
	recDur int64 // duration as recorded, for the last sample
	cto    int32
	size   uint32
	key    bool
	seg    int
	off    int64
}

// timeline walks the samples of [from, to) across segments, in order,
// holding one fragment's table at a time: memory does not grow with the
// clip. Two walks over the same segments yield the same samples, which
// lets the exporter size the moov before writing it.
type timeline struct {
	segs    []segstore.Segment
	from    int64 // the request's range, in ticks since the origin
	to      int64
	ref     time.Time // the origin is originT ticks after ref
	originT int64
	gapTol  int64

	i       int // current segment
	w       *fragWalker
	frag    segstore.Fragment
	k       int   // next sample in frag
	fragDTS int64 // decode time of sample k within the segment
	base    int64 // ticks of the current segment's start, shifted
	ts      uint32
	first   bool // the next sample is the segment's first

	rawStarted bool
	rawEnd     int64 // recorded end of the last raw sample
	maxPTS     int64 // latest presentation time of the samples taken

	la     rawSample // lookahead: durations need the next sample
	haveLA bool
	prev   sample
	count  int
	gaps   []span
	// skipped is why fragments were left out since the last sample
	// (damaged, tampered); needKey drops samples until the next keyframe
	// after that, since they depend on what was left out. headReason and
	// tailReason explain a clip that starts late or ends early.
	skipped                string
	needKey                bool
	headReason, tailReason string
	counts                 *FragmentCounts // the first pass counts
	// h265 is the clip's codec, from its first segment. A camera that
	// changed codec ends the clip there: one track holds one codec, and
	// the rest of the range is reported missing.
	h265 bool
}

// span is a missing range in clip ticks and why it is missing (empty:
// not recorded).
type span struct {
	from, to int64
	reason   string
}

// newTimeline walks segs from the keyframe at o up to to; from is where
// the request starts.
func newTimeline(segs []segstore.Segment, o origin, from, to time.Time, gapTol time.Duration) *timeline {
	tl := &timeline{segs: segs, ref: o.ref, originT: o.ticks, gapTol: durTicks(gapTol), i: -1, h265: o.init.IsH265()}
	tl.from, tl.to = tl.ticksOf(from), tl.ticksOf(to)
	return tl
}

// ticksOf converts a wall time to clip ticks. Segment starts are whole
// milliseconds, so segment boundaries convert exactly.
func (tl *timeline) ticksOf(t time.Time) int64 { return durTicks(t.Sub(tl.ref)) - tl.originT }

// timeOf converts clip ticks to wall time.
func (tl *timeline) timeOf(ticks int64) time.Time { return tl.ref.Add(ticksDur(ticks + tl.originT)) }

func durTicks(d time.Duration) int64 {
	return int64(d/time.Second)*timescale + int64(d%time.Second)*timescale/int64(time.Second)
}

func ticksDur(t int64) time.Duration {
	return time.Duration(t/timescale)*time.Second + time.Duration(t%timescale)*time.Second/timescale
}

func (tl *timeline) close() {
	if tl.w != nil {
		tl.w.close()
		tl.w = nil
	}
}

// openSegment moves to segment i. A segment that cannot be read at all
// is left out like a damaged fragment; it reports whether one is open.
func (tl *timeline) openSegment(i int) bool {
	tl.close()
	s := tl.segs[i]
	tl.i = i
	w, err := openWalker(s, tl.counts)
	if err != nil {
		if tl.counts != nil {
			tl.counts.Damaged++
		}
		tl.noteSkip(ReasonDamaged)
		return false
	}
	tl.w, tl.k, tl.fragDTS, tl.ts, tl.first = w, 0, 0, w.sr.Init.Timescale, true
	tl.frag.Samples = tl.frag.Samples[:0]
	tl.base = tl.ticksOf(s.Start)
	return true
}

// inDamaged reports whether a hole from ticks on ends in segment i,
// rebuilt by repair, and starts within it: what repair could not read.
func (tl *timeline) inDamaged(from int64, i int) bool {
	s := tl.segs[i]
	return s.Damaged && from >= tl.ticksOf(s.Start)-timescale/1000
}

// noteSkip records that fragments were left out; tampering outranks
// damage as a reason.
func (tl *timeline) noteSkip(reason string) {
	if tl.skipped != ReasonTampered {
		tl.skipped = reason
	}
	tl.needKey = true
}

// nextRaw returns the next sample from the clip's first keyframe on and
// before to, or false at the end.
func (tl *timeline) nextRaw(r *rawSample) bool {
	for {
		if tl.w == nil || tl.k >= len(tl.frag.Samples) {
			if !tl.advance() {
				return false
			}
			continue
		}
		s := tl.frag.Samples[tl.k]
		dts := tl.fragDTS
		tl.k++
		tl.fragDTS += int64(s.Duration)
		*r = rawSample{dts: tl.base + scale(dts, tl.ts), recDur: scale(int64(s.Duration), tl.ts),
			cto: int32(scale(int64(s.PTSOffset), tl.ts)), size: s.Size, key: s.Key, seg: tl.i, off: s.Offset}
		if r.dts >= tl.to && r.dts+int64(r.cto) >= tl.maxPTS {
			// Past "to", B-frames decoded after a picture they precede
			// on screen are still taken: the clip ends with no picture
			// missing from its presentation.
			tl.stop()
			return false
		}
		if tl.first && tl.rawStarted && r.dts < tl.rawEnd {
			// A segment overlapping the previous one (the recorder re-anchored
			// its clock) is pushed back, so decode times only grow.
			tl.base += tl.rawEnd - r.dts
			r.dts = tl.rawEnd
		}
		tl.first = false
		if r.dts < 0 {
			tl.skipped = "" // what was left out lies before the clip
			continue
		}
		if (!tl.rawStarted || tl.needKey) && !r.key {
			continue // before the clip's first keyframe, or one after a hole
		}
		tl.rawStarted, tl.rawEnd, tl.needKey = true, r.dts+r.recDur, false
		tl.maxPTS = max(tl.maxPTS, r.dts+int64(r.cto))
		return true
	}
}

// stop ends the walk: everything after "to" is later still.
func (tl *timeline) stop() {
	tl.close()
	tl.i = len(tl.segs)
}

// advance reads the next fragment, moving to the next segment as needed.
func (tl *timeline) advance() bool {
	for {
		if tl.w != nil {
			err := tl.w.next(&tl.frag)
			if tl.w.skipped != "" {
				tl.noteSkip(tl.w.skipped)
				tl.w.skipped = ""
			}
			if err == nil {
				tl.k = 0
				tl.fragDTS = int64(tl.frag.BaseTime)
				return true
			}
		}
		if tl.i+1 >= len(tl.segs) {
			tl.stop()
			return false
		}
		if !tl.openSegment(tl.i + 1) {
			continue
		}
		if tl.w.sr.Init.IsH265() != tl.h265 {
			tl.stop()
			return false
		}
	}
}

func scale(v int64, ts uint32) int64 {
	if ts == timescale {
		return v
	}
	return v * timescale / int64(ts)
}

// next returns the next clip sample with its final duration: up to the
// next sample, so a gap shows the last picture until video resumes and
// the clip's clock stays the wall clock.
func (tl *timeline) next(out *sample) bool {
	if !tl.haveLA {
		if !tl.nextRaw(&tl.la) {
			return false
		}
		tl.headReason, tl.skipped = tl.skipped, ""
		if tl.headReason == "" && tl.inDamaged(tl.from, tl.la.seg) {
			tl.headReason = ReasonDamaged // the clip starts after what repair lost
		}
	}
	cur := tl.la
	tl.haveLA = tl.nextRaw(&tl.la)
	reason := tl.skipped
	tl.skipped = ""
	if reason == "" && tl.haveLA && tl.inDamaged(cur.dts+cur.recDur, tl.la.seg) {
		reason = ReasonDamaged // repair salvaged what follows; the hole is the damage
	}
	dur := cur.recDur
	if tl.haveLA {
		dur = tl.la.dts - cur.dts
		// Left-out fragments are reported however short the hole.
		if gap := tl.la.dts - (cur.dts + cur.recDur); gap > tl.gapTol || (reason != "" && gap > 0) {
			tl.gaps = append(tl.gaps, span{cur.dts + cur.recDur, tl.la.dts, reason})
		}
	} else if reason != "" {
		tl.tailReason = reason
	}
	if dur < 1 {
		dur = 1
	}
	*out = sample{dts: cur.dts, dur: uint32(min(dur, 1<<31)), cto: cur.cto, size: cur.size, key: cur.key,
		seg: cur.seg, off: cur.off}
	out.chunk = tl.count == 0 || cur.seg != tl.prev.seg || cur.off != tl.prev.off+int64(tl.prev.size)
	tl.prev = *out
	tl.count++
	return true
}
