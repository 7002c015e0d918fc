package alarms

import (
	"context"
	"fmt"
	"time"

	"vigil/gateway/config"
	"vigil/streams/diagnose"
	"vigil/streams/hub"
	"vigil/streams/media"
)

// Picture judgements. A frozen picture differs from the one before it by
// at most FrozenDiff levels at any pixel (decoding the same picture twice
// gives the same pixels; a live scene, even a still one, has a clock or
// noise); a black or covered one is nearly flat, or dark and flat.
const (
	FrozenDiff     = 2
	FlatSpread     = 4
	DarkMean       = 32
	DarkFlatSpread = 12
)

// DiagnosisOptions configure the video-quality diagnosis.
type DiagnosisOptions struct {
	Cameras func() []Camera
	Decoder *diagnose.Decoder
	// Period between looks at each camera's keyframe. Default 10 s.
	Period time.Duration
}

// Diagnosis looks at every diagnosed camera's latest keyframe once per
// period, all cameras in one batch (diagnose.Decoder), and reports
// frozen_image and black_image to the tracker. It takes keyframes from
// the hubs' caches (the sub stream's, smaller, when there is one) without
// being a reader, so the live path and the recorder never wait on it.
type Diagnosis struct {
	opts    DiagnosisOptions
	tracker *Tracker
	last    map[string]look // by camera
	cancel  context.CancelFunc
	done    chan struct{}
}

// look is what the diagnosis saw of a camera last time.
type look struct {
	key         *media.AccessUnit
	pic         diagnose.Picture
	frames      uint64
	frozenSince time.Time
}

// StartDiagnosis starts the worker; Close stops it.
func StartDiagnosis(t *Tracker, o DiagnosisOptions) *Diagnosis {
	if o.Period <= 0 {
		o.Period = config.DefaultDiagnosisPeriod.Std()
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Diagnosis{opts: o, tracker: t, last: map[string]look{}, cancel: cancel, done: make(chan struct{})}
	go d.run(ctx)
	return d
}

// Close stops the worker (and a batch under way) and waits for it.
func (d *Diagnosis) Close() {
	d.cancel()
	<-d.done
}

func (d *Diagnosis) run(ctx context.Context) {
	defer close(d.done)
	// Most cameras send H.264: its ffmpeg is started before the first
	// round, which then judges at once.
	if err := d.opts.Decoder.Warm(ctx, media.CodecH264); err != nil {
		d.tracker.engine.log.Warn("video diagnosis: no kept ffmpeg for H.264, one per round", "err", err)
	}
	t := time.NewTicker(d.opts.Period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.round(ctx)
		}
	}
}

// sample is one camera's keyframe taken for a round.
type sample struct {
	cam    Camera
	key    *media.AccessUnit
	frames uint64
}

// round looks at every camera once.
func (d *Diagnosis) round(ctx context.Context) {
	start := time.Now()
	defer func() {
		took := time.Since(start)
		d.tracker.engine.metrics.round(took)
		d.tracker.engine.log.Debug("diagnosis round", "took", took)
	}()
	byCodec := map[media.Codec][]sample{}
	for _, c := range d.opts.Cameras() {
		h := c.Sub
		if h == nil || h.Status().State != hub.StateOnline {
			h = c.Main
		}
		st := h.Status()
		key := h.Keyframe()
		if !c.Diagnose || st.State != hub.StateOnline || key == nil {
			d.forget(ctx, c) // nothing to judge: neither frozen nor black
			continue
		}
		if prev, ok := d.last[c.ID]; ok && prev.key == key {
			continue // no new keyframe since: the last judgement stands
		}
		byCodec[st.Track.Codec] = append(byCodec[st.Track.Codec], sample{cam: c, key: key, frames: h.Stats().Frames})
	}
	for codec, samples := range byCodec {
		keys := make([]*media.AccessUnit, len(samples))
		for i, s := range samples {
			keys[i] = s.key
		}
		pics, errs := d.opts.Decoder.Decode(ctx, codec, keys)
		if ctx.Err() != nil {
			return
		}
		now := d.tracker.engine.opts.Now()
		for i, s := range samples {
			if errs[i] == nil {
				d.judge(ctx, now, s, pics[i])
			}
		}
	}
}

func (d *Diagnosis) forget(ctx context.Context, c Camera) {
	if _, ok := d.last[c.ID]; !ok {
		return
	}
	delete(d.last, c.ID)
	now := d.tracker.engine.opts.Now()
	for _, typ := range []string{config.AlarmFrozenImage, config.AlarmBlackImage} {
		d.tracker.Absent(ctx, now, Condition{Type: typ, Camera: c.ID, Station: c.Station}, 0)
	}
}

// judge compares a camera's new picture with its last one.
func (d *Diagnosis) judge(ctx context.Context, now time.Time, s sample, pic diagnose.Picture) {
	c := s.cam
	prev, seen := d.last[c.ID]
	spread, mean := pic.Spread(), pic.Mean()
	black := spread < FlatSpread || (mean < DarkMean && spread < DarkFlatSpread)
	frozen := seen && !black && s.frames > prev.frames && diagnose.Difference(prev.pic, pic) <= FrozenDiff
	next := look{key: s.key, pic: pic, frames: s.frames}
	if frozen {
		next.frozenSince = prev.frozenSince
		if next.frozenSince.IsZero() {
			next.frozenSince = prev.key.Received // unchanged since the earlier picture
		}
	}
	d.last[c.ID] = next
	blackCond := Condition{Type: config.AlarmBlackImage, Camera: c.ID, Station: c.Station,
		Detail: fmt.Sprintf("luma mean %.0f, spread %.1f", mean, spread)}
	frozenCond := Condition{Type: config.AlarmFrozenImage, Camera: c.ID, Station: c.Station, Detail: "picture unchanged"}
	if black {
		d.tracker.Present(ctx, now, blackCond, s.key.Received, 0)
	} else {
		d.tracker.Absent(ctx, now, blackCond, 0)
	}
	if frozen {
		d.tracker.Present(ctx, now, frozenCond, next.frozenSince, 0)
	} else {
		d.tracker.Absent(ctx, now, frozenCond, 0)
	}
}
