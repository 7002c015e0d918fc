package clip

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"vigil/streams/segstore"
)

// Export writes req's range of the camera's recordings to req.Path.
func (e *Exporter) Export(ctx context.Context, req Request) (*Result, error) {
	if err := e.check(&req); err != nil {
		return nil, err
	}
	segs := e.Store.Segments(req.Camera, req.From, req.To)
	if len(segs) == 0 {
		return nil, ErrNoRecording
	}
	release := e.Store.Pin(segs)
	defer release()
	o, err := findOrigin(segs, req.From)
	if errors.Is(err, errNoKeyframe) {
		return nil, ErrNoRecording
	}
	if err != nil {
		return nil, err
	}
	segs = segs[o.seg:] // earlier ones hold no keyframe to start from
	gapTol := e.GapTolerance
	if gapTol <= 0 {
		gapTol = defaultGapTol
	}
	p, err := plan(ctx, segs, o, req, gapTol)
	if err != nil {
		return nil, err
	}
	size, err := writeFile(ctx, req.Path, segs, o, p, req.Progress)
	if err != nil {
		return nil, err
	}
	res := p.result(req)
	res.Path, res.Size = req.Path, size
	return res, nil
}

// planned is what the first pass learns.
type planned struct {
	layout
	frames, keys int
	gaps         []span
	tl           *timeline // for time conversions only
	gapTol       time.Duration
	from, to     time.Time
	counts       FragmentCounts
}

// plan walks the sample tables once to size the clip's moov.
func plan(ctx context.Context, segs []segstore.Segment, o origin, req Request, gapTol time.Duration) (*planned, error) {
	tl := newTimeline(segs, o, req.From, req.To, gapTol)
	defer tl.close()
	p := &planned{layout: layout{init: o.init, created: req.From}, tl: tl, gapTol: gapTol, from: req.From, to: req.To}
	tl.counts = &p.counts
	b := tableBuilder{sink: &p.n}
	var s sample
	for tl.next(&s) {
		if p.frames == 0 {
			p.firstCto = s.cto
		}
		b.add(&s)
		p.frames++
		if s.key {
			p.keys++
		}
		p.mediaDur = s.dts + int64(s.dur)
		if p.frames%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	b.finish()
	p0 := max(tl.ticksOf(req.From), 0)
	p1 := min(tl.ticksOf(req.To), p.mediaDur)
	if p.frames == 0 || p1 <= p0 {
		return nil, ErrNoRecording
	}
	p.elstStart, p.elstDur, p.gaps = p0, p1-p0, tl.gaps
	if p.mediaDur > math.MaxUint32 {
		return nil, ErrTooLong
	}
	if err := p.planAudio(ctx, segs); err != nil {
		return nil, err
	}
	p.co64 = int64(len(p.prefix()))+p.tablesTotal()+p.audioBytes()+mdatHeader+p.n.data+p.audio.n.data > math.MaxUint32
	return p, nil
}

// writeFile writes the clip to path+".part", makes it durable and renames
// it into place, so a crash or cancel never leaves a half clip at path.
func writeFile(ctx context.Context, path string, segs []segstore.Segment, o origin, p *planned, progress func(float64)) (int64, error) {
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	size, err := writeClip(ctx, f, segs, o, p, progress)
	if err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("clip: %w", err)
	}
	ok = true
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("clip: %w", err)
	}
	syncDir(filepath.Dir(path))
	return size, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// result builds the caller's view of the clip from the plan.
func (p *planned) result(req Request) *Result {
	tl := p.tl
	at := func(ticks int64, exact time.Time) time.Time {
		if ticks == tl.ticksOf(exact) {
			return exact // no rounding trip for the request's own bounds
		}
		return tl.timeOf(ticks)
	}
	res := &Result{
		From:       at(p.elstStart, req.From),
		To:         at(p.elstStart+p.elstDur, req.To),
		MediaStart: tl.timeOf(0),
		Frames:     p.frames,
		Keyframes:  p.keys,
		Fragments:  p.counts,
	}
	var missing []Range
	add := func(from, to time.Time, reason string) {
		if reason == "" {
			reason = ReasonNotRecorded
		}
		if to.Sub(from) >= time.Millisecond {
			missing = append(missing, Range{from, to, reason})
		}
	}
	add(req.From, res.From, tl.headReason)
	for _, g := range p.gaps {
		lo, hi := max(g.from, p.elstStart), min(g.to, p.elstStart+p.elstDur)
		if hi > lo {
			add(tl.timeOf(lo), tl.timeOf(hi), g.reason)
		}
	}
	add(res.To, req.To, tl.tailReason)
	res.Missing = missing
	cur := req.From
	for _, m := range missing {
		if m.From.After(cur) {
			res.Covered = append(res.Covered, Range{From: cur, To: m.From})
		}
		cur = m.To
	}
	if req.To.After(cur) {
		res.Covered = append(res.Covered, Range{From: cur, To: req.To})
	}
	return res
}
