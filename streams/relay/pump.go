package relay

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/rtsp"
)

// errCodecChanged ends a reader's session: its SDP no longer says what
// the camera sends, so it must describe the stream anew.
var errCodecChanged = errors.New("relay: the camera's codec changed")

// pump copies hub deliveries to one reader: the cached GOP burst first (at
// once: the reader's decoder shows its newest picture as soon as it has
// them all), then live units. Timestamps are the hub's own, so they run on
// from the burst into live without a jump.
type pump struct {
	ps     *rtsp.PlaySession
	tracks rtsp.Tracks

	// videoSent is closed once the first video delivery is written; audio
	// starts after it, so a reader that lines tracks up by arrival does
	// not put the audio a GOP early.
	videoSent chan struct{}
	sentOnce  sync.Once

	dropped atomic.Uint64 // units not sent while the reader was behind
}

// video feeds the reader's video until ctx ends or the codec changes.
func (p *pump) video(ctx context.Context, h *hub.Hub) error {
	defer p.sentOnce.Do(func() { close(p.videoSent) })
	return p.copy(ctx, h, p.tracks.Video.Codec, p.ps.WriteVideo, func() {
		p.sentOnce.Do(func() { close(p.videoSent) })
	})
}

// audio feeds the reader's audio once the video has started.
func (p *pump) audio(ctx context.Context, h *hub.Hub) error {
	select {
	case <-p.videoSent:
	case <-ctx.Done():
		return nil
	}
	return p.copy(ctx, h, p.tracks.Audio.Codec, p.ps.WriteAudio, func() {})
}

// copy reads h and writes every unit with write. A unit the reader's
// queue cannot take loses the rest of the group of pictures: writing
// resumes at the next keyframe, so the reader never decodes a picture
// whose reference it lacks.
func (p *pump) copy(ctx context.Context, h *hub.Hub, codec media.Codec,
	write func(pts time.Duration, frames [][]byte) error, written func()) error {
	r := h.NewReader()
	defer r.Close()
	waitKey := false
	for {
		d, err := r.Read(ctx)
		if err != nil {
			return nil // the reader left or the server closes
		}
		if d.Status != nil {
			if c := d.Status.Track.Codec; c != "" && c != codec {
				return errCodecChanged
			}
			continue
		}
		for _, au := range d.Units {
			if waitKey && !au.Key {
				p.dropped.Add(1)
				continue
			}
			waitKey = false
			err := write(au.PTS, au.NALUs)
			if errors.Is(err, rtsp.ErrReaderBehind) {
				p.dropped.Add(1)
				waitKey = true
				continue
			}
			if err != nil {
				return err
			}
		}
		written()
	}
}
