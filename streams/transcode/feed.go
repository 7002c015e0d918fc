package transcode

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mpegts"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// input is the input side of one session.
type input struct {
	r         *hub.Reader
	announced media.Track // as the input's status gave it
	track     media.Track // completed for the MPEG-TS writer
	params    paramSets   // of the session's first keyframe: a new SPS means a restart
	clock     *sessionClock

	lowDelay  bool         // ffmpeg decodes assuming no B-frames
	reordered *atomic.Bool // set on the Transcoder when B-frames show up anyway
}

func newInput(r *hub.Reader, announced, tr media.Track, first []frame) *input {
	in := &input{r: r, announced: announced, track: tr, clock: newSessionClock(first[0])}
	in.params = findParams(tr.Codec, first[0].au.NALUs)
	if in.params.sps == nil {
		in.params = paramSets{vps: tr.VPS, sps: tr.SPS, pps: tr.PPS}
	}
	return in
}

// feed writes the first frames, then every unit the input delivers, to
// ffmpeg's stdin. It returns errInputChanged when the input went offline
// or changed its codec or parameter sets: ffmpeg was set up for the old
// stream, and a fresh one starts from the new keyframe.
func (in *input) feed(ctx context.Context, stdin io.Writer, first []frame, dog *watchdog) error {
	w, err := newTSWriter(stdin, in.track, in.clock)
	if err != nil {
		return err
	}
	frames := first
	for {
		for _, f := range frames {
			if err := in.check(f); err != nil {
				return err
			}
			dog.writeStart(time.Now())
			if err := w.write(f, in.track); err != nil {
				return fmt.Errorf("writing to ffmpeg: %w", err)
			}
			dog.writeDone()
		}
		d, err := in.r.Read(ctx)
		if err != nil {
			return err
		}
		if s := d.Status; s != nil {
			if s.State == hub.StateOnline && sameTrack(in.announced, s.Track) {
				frames = nil
				continue
			}
			return fmt.Errorf("%w: input %s %s", errInputChanged, s.State, s.Reason)
		}
		frames = live(d.Units)
		if d.Burst {
			frames = squeeze(d.Units)
		}
	}
}

// check notices what ffmpeg was not set up for: B-frames in a stream
// decoded as low_delay, or a keyframe with new parameter sets (a new
// resolution, profile or bit depth).
func (in *input) check(f frame) error {
	if in.lowDelay && f.pts != f.dts {
		in.reordered.Store(true)
		return fmt.Errorf("%w: B-frames in a track not marked reordered", errInputChanged)
	}
	if !f.au.Key || in.track.Codec.IsAudio() {
		return nil
	}
	p := findParams(in.track.Codec, f.au.NALUs)
	if p.sps == nil || (bytes.Equal(p.sps, in.params.sps) && bytes.Equal(p.vps, in.params.vps)) {
		return nil
	}
	return fmt.Errorf("%w: new parameter sets in a keyframe", errInputChanged)
}

// sameTrack reports whether a new online status still describes the
// stream ffmpeg was started for.
func sameTrack(a, b media.Track) bool {
	return a.Codec == b.Codec && bytes.Equal(a.SPS, b.SPS) && bytes.Equal(a.VPS, b.VPS) &&
		bytes.Equal(a.Config, b.Config) && a.SampleRate == b.SampleRate && a.Channels == b.Channels
}

// tsWriter writes input units as MPEG-TS. MPEG-TS carries DTS beside PTS,
// which ffmpeg needs to decode B-frames in order.
type tsWriter struct {
	fw      *frameWriter
	mw      *mpegts.Writer
	track   *mpegts.Track
	codec   media.Codec
	clock   *sessionClock
	lastDTS time.Duration
	started bool
}

func newTSWriter(w io.Writer, tr media.Track, clock *sessionClock) (*tsWriter, error) {
	var codec mpegts.Codec
	switch tr.Codec {
	case media.CodecH264:
		codec = &mpegts.CodecH264{}
	case media.CodecH265:
		codec = &mpegts.CodecH265{}
	case media.CodecAAC:
		var cfg mpeg4audio.AudioSpecificConfig
		if err := cfg.Unmarshal(tr.Config); err != nil {
			return nil, err
		}
		codec = &mpegts.CodecMPEG4Audio{Config: cfg}
	default:
		return nil, fmt.Errorf("no MPEG-TS mapping for %s", tr.Codec)
	}
	tw := &tsWriter{fw: &frameWriter{w: w}, codec: tr.Codec, clock: clock}
	tw.track = &mpegts.Track{Codec: codec}
	tw.mw = &mpegts.Writer{W: tw.fw, Tracks: []*mpegts.Track{tw.track}}
	return tw, tw.mw.Initialize()
}

// write sends one unit in one write: ffmpeg should see each frame as soon
// as it exists, not when a buffer fills.
func (w *tsWriter) write(f frame, tr media.Track) error {
	nalus := nonEmpty(f.au.NALUs)
	if len(nalus) == 0 {
		return nil
	}
	pts, dts := f.pts, f.dts
	if w.started && dts <= w.lastDTS { // never hand ffmpeg a DTS going back
		dts = w.lastDTS + minStep
		pts = max(pts, dts)
	}
	w.started, w.lastDTS = true, dts
	p, d := w.clock.toFFmpeg(pts), w.clock.toFFmpeg(dts)

	var err error
	switch w.codec {
	case media.CodecH264:
		if f.au.Key {
			nalus = withParams(w.codec, nalus, tr)
		}
		err = w.mw.WriteH264(w.track, p, d, nalus)
	case media.CodecH265:
		if f.au.Key {
			nalus = withParams(w.codec, nalus, tr)
		}
		err = w.mw.WriteH265(w.track, p, d, nalus)
	case media.CodecAAC:
		err = w.mw.WriteMPEG4Audio(w.track, p, nalus)
	}
	if err != nil {
		return err
	}
	return w.fw.flush()
}
