package clip

import (
	"fmt"
	"io"
	"os"
	"time"

	"vigil/streams/segstore"
)

// timescale is the clip's media clock, the same 90 kHz as the segments.
const timescale = 90000

// sample is one sample as it will appear in the clip.
type sample struct {
	dts   int64 // ticks since the clip's origin (its first keyframe)
	dur   uint32
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
	to      int64     // in ticks since the origin
	ref     time.Time // the origin is originT ticks after ref
	originT int64
	gapTol  int64

	i       int // current segment
	file    *os.File
	sr      *segstore.Reader
	frag    segstore.Fragment
	k       int   // next sample in frag
	fragDTS int64 // decode time of sample k within the segment
	base    int64 // ticks of the current segment's start, shifted
	ts      uint32
	first   bool // the next sample is the segment's first

	rawStarted bool
	rawEnd     int64 // recorded end of the last raw sample

	la     rawSample // lookahead: durations need the next sample
	haveLA bool
	prev   sample
	count  int
	gaps   []span
	err    error
	// h265 is the clip's codec, from its first segment. A camera that
	// changed codec ends the clip there: one track holds one codec, and
	// the rest of the range is reported missing.
	h265 bool
}

// span is a range in clip ticks.
type span struct{ from, to int64 }

// newTimeline walks segs from the keyframe at o up to to.
func newTimeline(segs []segstore.Segment, o origin, to time.Time, gapTol time.Duration) *timeline {
	tl := &timeline{segs: segs, ref: o.ref, originT: o.ticks, gapTol: durTicks(gapTol), i: -1, h265: o.init.IsH265()}
	tl.to = tl.ticksOf(to)
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
	if tl.file != nil {
		tl.file.Close()
		tl.file = nil
	}
}

// openSegment moves to segment i.
func (tl *timeline) openSegment(i int) error {
	tl.close()
	s := tl.segs[i]
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("clip: open segment: %w", err)
	}
	sr, err := segstore.NewReader(f, s.Size)
	if err != nil {
		f.Close()
		return fmt.Errorf("clip: %s: %w", s.Path, err)
	}
	tl.i, tl.file, tl.sr, tl.k, tl.fragDTS, tl.ts, tl.first = i, f, sr, 0, 0, sr.Init.Timescale, true
	tl.frag.Samples = tl.frag.Samples[:0]
	tl.base = tl.ticksOf(s.Start)
	return nil
}

// nextRaw returns the next sample from the clip's first keyframe on and
// before to, or false at the end.
func (tl *timeline) nextRaw(r *rawSample) bool {
	for tl.err == nil {
		if tl.sr == nil || tl.k >= len(tl.frag.Samples) {
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
			size: s.Size, key: s.Key, seg: tl.i, off: s.Offset}
		if r.dts >= tl.to {
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
		if r.dts < 0 || (!tl.rawStarted && !r.key) {
			continue // before the clip's first keyframe
		}
		tl.rawStarted, tl.rawEnd = true, r.dts+r.recDur
		return true
	}
	return false
}

// stop ends the walk: everything after "to" is later still.
func (tl *timeline) stop() {
	tl.close()
	tl.sr = nil
	tl.i = len(tl.segs)
}

// advance reads the next fragment, moving to the next segment as needed.
func (tl *timeline) advance() bool {
	for {
		if tl.sr != nil {
			err := tl.sr.Next(&tl.frag)
			if err == nil {
				tl.k = 0
				tl.fragDTS = int64(tl.frag.BaseTime)
				return true
			}
			if err != io.EOF {
				tl.err = fmt.Errorf("clip: %s: %w", tl.segs[tl.i].Path, err)
				return false
			}
		}
		if tl.i+1 >= len(tl.segs) {
			tl.stop()
			return false
		}
		if err := tl.openSegment(tl.i + 1); err != nil {
			tl.err = err
			return false
		}
		if tl.sr.Init.IsH265() != tl.h265 {
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
	}
	cur := tl.la
	tl.haveLA = tl.nextRaw(&tl.la)
	dur := cur.recDur
	if tl.haveLA {
		dur = tl.la.dts - cur.dts
		if gap := tl.la.dts - (cur.dts + cur.recDur); gap > tl.gapTol {
			tl.gaps = append(tl.gaps, span{cur.dts + cur.recDur, tl.la.dts})
		}
	}
	if dur < 1 {
		dur = 1
	}
	*out = sample{dts: cur.dts, dur: uint32(min(dur, 1<<31)), size: cur.size, key: cur.key,
		seg: cur.seg, off: cur.off}
	out.chunk = tl.count == 0 || cur.seg != tl.prev.seg || cur.off != tl.prev.off+int64(tl.prev.size)
	tl.prev = *out
	tl.count++
	return true
}
