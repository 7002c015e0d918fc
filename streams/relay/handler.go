package relay

import (
	"context"
	"errors"
	"sync"
	"time"

	"vigil/streams/hub"
	"vigil/streams/rtsp"
)

// handler answers the RTSP server: who may read, what a path holds, and
// the feeding of each reader.
type handler struct {
	s *Server
}

// Authorize implements rtsp.PlayHandler. The credentials are checked
// before the camera's existence, so a refused caller learns nothing.
func (h *handler) Authorize(ctx context.Context, path string, c rtsp.Credentials) error {
	camera, _, ok := parsePath(path)
	if !ok {
		return rtsp.ErrNoSuchPath
	}
	err := h.s.opts.Authorize(ctx, c.User, c.Password, camera)
	switch {
	case errors.Is(err, ErrUnknownCamera):
		return rtsp.ErrNoSuchPath
	case err != nil:
		h.s.logRefusal(c, camera, err)
		return err
	}
	return nil
}

// logRefusal logs a refused request, rate-limited per client address.
// The password never appears; the user name is cut short, since a
// mistyped secret may sit in it.
func (s *Server) logRefusal(c rtsp.Credentials, camera string, err error) {
	log, suppressed := s.refusals.note(c.Remote, time.Now())
	if !log {
		return
	}
	user := c.User
	if len(user) > 32 {
		user = user[:32] + "…"
	}
	s.log.Warn("relay: credentials refused", "remote", c.Remote, "user", user, "camera", camera,
		"reason", err.Error(), "refused_since_last_line", suppressed)
}

// Describe implements rtsp.PlayHandler: the stream's tracks as its hubs
// last reported them. Audio is offered while the camera sends some.
func (h *handler) Describe(path string) (rtsp.Tracks, error) {
	hubs, err := h.lookup(path)
	if err != nil {
		return rtsp.Tracks{}, err
	}
	video := hubs.Video.Status().Track
	if video.Codec == "" || video.Codec.IsAudio() {
		return rtsp.Tracks{}, rtsp.ErrNotReady
	}
	t := rtsp.Tracks{Video: video}
	if hubs.Audio != nil {
		if st := hubs.Audio.Status(); st.State == hub.StateOnline && st.Track.Codec.IsAudio() {
			t.Audio = &st.Track
		}
	}
	return t, nil
}

func (h *handler) lookup(path string) (Hubs, error) {
	camera, sub, ok := parsePath(path)
	if !ok {
		return Hubs{}, rtsp.ErrNoSuchPath
	}
	hubs, ok := h.s.opts.Lookup(camera, sub)
	if !ok || hubs.Video == nil {
		return Hubs{}, rtsp.ErrNoSuchPath
	}
	return hubs, nil
}

// Play implements rtsp.PlayHandler: it feeds one reader from its own hub
// readers until the reader leaves, its credentials stop holding, or the
// camera's codec changes (the reader must describe the stream anew).
func (h *handler) Play(ctx context.Context, ps *rtsp.PlaySession) error {
	hubs, err := h.lookup(ps.Path())
	if err != nil {
		return err
	}
	camera, sub, _ := parsePath(ps.Path())
	c := ps.Credentials()
	if h.s.opts.OnView != nil {
		end := h.s.opts.OnView(View{User: c.User, Camera: camera, Sub: sub, Remote: c.Remote})
		defer end()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel(nil)
	wg.Go(func() { h.recheck(ctx, cancel, ps, camera) })

	p := &pump{ps: ps, tracks: ps.Tracks(), videoSent: make(chan struct{})}
	defer func() {
		if n := p.dropped.Load(); n > 0 {
			h.s.log.Info("relay: reader fell behind; units dropped up to the next keyframe",
				"remote", c.Remote, "camera", camera, "dropped", n)
		}
	}()
	if hubs.Audio != nil && p.tracks.Audio != nil {
		wg.Go(func() {
			if err := p.audio(ctx, hubs.Audio); err != nil {
				cancel(err)
			}
		})
	}
	err = p.video(ctx, hubs.Video)
	if cause := context.Cause(ctx); err != nil && cause != nil && cause != ctx.Err() {
		err = cause // the recheck or the audio ended the session
	}
	return err
}

// recheck authorizes a playing reader again every Recheck and ends its
// session when it no longer may read. It ends with ctx.
func (h *handler) recheck(ctx context.Context, cancel context.CancelCauseFunc, ps *rtsp.PlaySession, camera string) {
	t := time.NewTicker(h.s.opts.Recheck)
	defer t.Stop()
	c := ps.Credentials()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.s.opts.Authorize(ctx, c.User, c.Password, camera); err != nil && ctx.Err() == nil {
				h.s.log.Info("relay: reader no longer authorized; ending its session",
					"remote", c.Remote, "user", c.User, "camera", camera, "reason", err.Error())
				cancel(err)
				return
			}
		}
	}
}
