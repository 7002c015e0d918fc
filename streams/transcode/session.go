package transcode

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// runSession runs one ffmpeg: it waits for the input to be online with
// units to feed, then transcodes until ffmpeg exits, the input changes or
// ctx ends. Each session reads the input through a reader of its own, so
// that it starts from the cached GOP.
func (t *Transcoder) runSession(ctx context.Context) error {
	if err := t.opts.validate(); err != nil {
		return err
	}
	bin, err := t.binary()
	if err != nil {
		return err
	}
	r := t.opts.Input.NewReader()
	defer r.Close()
	in, first, err := t.waitInput(ctx, r)
	if err != nil {
		return err
	}
	in.lowDelay = t.opts.Kind == VideoToH264 && !in.track.Reordered && !t.reordered.Load()
	in.reordered = &t.reordered
	args, err := ffmpegArgs(t.opts, in.track, in.lowDelay)
	if err != nil {
		return fmt.Errorf("%w: %v", errConfig, err)
	}
	return t.runFFmpeg(ctx, bin, args, in, first)
}

// binary resolves the ffmpeg binary; looked up at every start, so that
// installing ffmpeg fixes a needs_ffmpeg transcoder without a restart.
func (t *Transcoder) binary() (string, error) {
	name := t.opts.FFmpeg
	if name == "" {
		name = "ffmpeg"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %v", errNeedsFFmpeg, err)
	}
	return path, nil
}

// waitInput reads the input until it is online with a codec this Kind
// takes and has units to feed. Meanwhile the output mirrors the input's
// status, so a viewer sees why the camera is down rather than a transcoder
// problem. A burst (the cached GOP) comes back squeezed.
func (t *Transcoder) waitInput(ctx context.Context, r *hub.Reader) (*input, []frame, error) {
	var announced, track media.Track
	online := false
	for {
		d, err := r.Read(ctx)
		if err != nil {
			return nil, nil, err
		}
		if s := d.Status; s != nil {
			announced = s.Track
			track, online = t.inputStatus(*s)
			continue
		}
		if !online || len(d.Units) == 0 {
			continue
		}
		frames := live(d.Units)
		if d.Burst {
			frames = squeeze(d.Units)
		}
		return newInput(r, announced, track, frames), frames, nil
	}
}

// inputStatus handles a status of the input while no ffmpeg runs and says
// whether transcoding can start.
func (t *Transcoder) inputStatus(s hub.Status) (media.Track, bool) {
	if s.State != hub.StateOnline {
		t.setPhase(PhaseStarting, "input "+string(s.State)+" "+s.Reason)
		t.pub.reset()
		t.out.SetStatus(hub.Status{State: s.State, Reason: s.Reason, Message: s.Message, Detail: s.Detail})
		return media.Track{}, false
	}
	track, err := t.accept(s.Track)
	if err != nil {
		t.log.Warn("cannot transcode the input", "err", err)
		t.setPhase(PhaseFailed, err.Error())
		t.pub.reset()
		t.out.SetStatus(hub.Status{
			State: hub.StateOffline, Reason: hub.ReasonUnsupportedCodec,
			Message: "the camera's codec cannot be transcoded", Detail: err.Error(),
		})
		return media.Track{}, false
	}
	t.setPhase(PhaseStarting, "")
	return track, true
}

// accept checks that the input track suits this Kind and completes what
// the MPEG-TS writer needs.
func (t *Transcoder) accept(tr media.Track) (media.Track, error) {
	switch {
	case t.opts.Kind == VideoToH264 && (tr.Codec == media.CodecH264 || tr.Codec == media.CodecH265):
		return tr, nil
	case t.opts.Kind == AudioToOpus && tr.Codec == media.CodecAAC:
		cfg, err := aacConfig(tr)
		if err != nil {
			return tr, err
		}
		tr.SampleRate, tr.Channels = cfg.SampleRate, cfg.ChannelCount
		tr.Config, err = cfg.Marshal()
		return tr, err
	}
	return tr, fmt.Errorf("%s cannot take %s input", t.opts.Kind, tr.Codec)
}

// aacConfig returns the track's AudioSpecificConfig, or builds an AAC-LC
// one from the sample rate and channels when the source gave none.
func aacConfig(tr media.Track) (mpeg4audio.AudioSpecificConfig, error) {
	var cfg mpeg4audio.AudioSpecificConfig
	if len(tr.Config) > 0 {
		err := cfg.Unmarshal(tr.Config)
		return cfg, err
	}
	if tr.SampleRate <= 0 || tr.Channels <= 0 {
		return cfg, fmt.Errorf("AAC track without config, sample rate or channels")
	}
	return mpeg4audio.AudioSpecificConfig{
		Type: mpeg4audio.ObjectTypeAACLC, SampleRate: tr.SampleRate, ChannelCount: tr.Channels,
	}, nil
}
