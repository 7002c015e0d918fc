package webrtc

import (
	"context"
	"time"

	"vigil/streams/hub"
	"vigil/streams/media"
)

// route is where a feed takes its units from.
type route int

const (
	routeNative     route = iota // the camera's stream as it is
	routeTranscoded              // the stream's transcoder output
	routeNone                    // nothing this viewer can decode
)

// pump feeds the track from s until ctx ends, moving between the native
// stream and its transcode as the camera's track and the viewer's codecs
// require.
func (f *Feed) pump(ctx context.Context, s *Stream, done chan struct{}) {
	defer close(done)
	f.setState(FeedEvent{State: FeedWaiting})
	// The codecs the viewer accepts are known once the connection is up,
	// and packets sent before are lost anyway.
	select {
	case <-f.ready:
	case <-ctx.Done():
		return
	}
	next := f.routeFor(s, s.Native.Status())
	for {
		f.route = next
		f.pk.reset(f.pk.codec) // payloaders cache the last camera's parameter sets
		h := s.Native
		release := func() {}
		if next == routeTranscoded {
			release = s.Transcode.Acquire()
			h = s.Transcode.Output()
		}
		r := h.NewReader()
		f.reader.Store(r)
		var ok bool
		next, ok = f.follow(ctx, s, r)
		f.reader.Store(nil)
		r.Close()
		release()
		if !ok {
			return
		}
		// The new rendition starts from its own keyframe on a new mapping;
		// the track's timestamps continue.
		f.tl.unmap()
	}
}

// follow sends what r delivers until ctx ends (false) or the feed must
// change route (the new route, true).
func (f *Feed) follow(ctx context.Context, s *Stream, r *hub.Reader) (route, bool) {
	for {
		d, err := r.Read(ctx)
		if err != nil {
			return f.route, false
		}
		switch {
		case d.Status != nil:
			if next := f.routeFor(s, *d.Status); next != f.route {
				return next, true
			}
			f.onStatus(*d.Status)
		case f.route == routeNone:
			// Only status changes matter until the camera sends something
			// this viewer can take.
		case d.Burst:
			if !f.sendBurst(ctx, d.Units) {
				return f.route, false
			}
		default:
			f.sendUnit(ctx, d.Units[0], f.tl.live(d.Units[0].PTS, time.Now()))
		}
	}
}

// routeFor decides where the feed should read from, given a status of the
// hub it reads (or of the native hub, before reading).
func (f *Feed) routeFor(s *Stream, st hub.Status) route {
	native := st.Track
	if f.route == routeTranscoded {
		// The transcoder reports its own output; whether it is still
		// needed depends on what the camera sends.
		native = s.Native.Status().Track
	}
	switch {
	case Fits(native, f.track.accepts):
		return routeNative
	case s.Transcode != nil:
		return routeTranscoded
	}
	return routeNone
}

func (f *Feed) onStatus(s hub.Status) {
	f.lastTrack = s.Track
	if c := s.Track.Codec; c != "" && c != f.pk.codec && f.route != routeNone {
		f.pk.reset(c)
		f.tl.setRate(clockRate(c))
	}
	switch {
	case f.route == routeNone && s.State == hub.StateOnline:
		f.setState(FeedEvent{State: FeedOffline, Reason: hub.ReasonUnsupportedCodec, Track: s.Track})
	case s.State == hub.StateOffline:
		f.setState(FeedEvent{State: FeedOffline, Reason: s.Reason, Track: s.Track})
	case s.State == hub.StateOnline && f.state == FeedPlaying:
		// New resolution or codec parameters: tell the tile.
		f.setState(FeedEvent{State: FeedPlaying, Track: s.Track})
	}
}

// sendBurst sends a run of cached units. The keyframe goes at once: it is
// the first picture the viewer sees. The frames after it are paced to
// burstRate, so a multi-megabyte GOP does not hit a real network link (or
// the viewer's socket buffer) in one instant. It returns false when ctx
// ended the burst.
func (f *Feed) sendBurst(ctx context.Context, units []*media.AccessUnit) bool {
	pts := make([]time.Duration, len(units))
	for i, au := range units {
		pts[i] = au.PTS
	}
	start := time.Now()
	stamps := f.tl.burst(pts, start)
	var paced int64 // bytes sent after the keyframe
	for i, au := range units {
		if i > 0 {
			due := start.Add(time.Duration(paced * int64(time.Second) / burstRate))
			if !sleepUntil(ctx, due) {
				return false
			}
			paced += int64(au.Size())
		}
		f.sendUnit(ctx, au, stamps[i])
	}
	return true
}

// sleepUntil waits until t or ctx's end; it reports whether t came.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
