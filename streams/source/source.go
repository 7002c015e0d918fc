// Package source pulls one camera and publishes its normalized stream to a
// hub, reconnecting after any failure for as long as it runs.
package source

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"vigil/streams/backoff"
	"vigil/streams/clock"
	"vigil/streams/hub"
	"vigil/streams/redact"
	"vigil/streams/rtsp"
)

// Options configure a Source. Zero durations take the defaults.
type Options struct {
	ID  string
	URL string // may carry credentials; never logged as is
	// ResolveURL, when set, replaces URL: it is asked before every
	// attempt, so a pull follows a stream that moves (a relayed camera
	// whose owner node changed, an ONVIF device's stream URI). An error
	// fails that attempt; ctx ends when the source stops.
	ResolveURL func(ctx context.Context) (string, error)
	Transport  string // auto, tcp or udp
	Hub        *hub.Hub
	// AudioHub, when set, receives the camera's audio (AAC, G.711 or
	// Opus); without it audio is only reported.
	AudioHub *hub.Hub
	Logger   *slog.Logger
	// Secrets are the camera's credentials beyond those of URL (its other
	// stream's): what the camera says is cleaned of them too before it is
	// logged or reported.
	Secrets redact.Secrets

	MinBackoff     time.Duration // first wait after a failure (default 1 s)
	MaxBackoff     time.Duration // longest wait between full attempts (default 30 s)
	ConnectTimeout time.Duration // default 5 s
	ReadTimeout    time.Duration // default 10 s
	// StableAfter is how long a session must have delivered video for the
	// backoff to start again from MinBackoff (default 10 s).
	StableAfter time.Duration
}

// Counters are the source's cumulative totals.
type Counters struct {
	Attempts      uint64
	DecodeErrors  uint64 // packets the depacketizer refused
	BrokenNALUs   uint64 // video NAL units dropped as malformed
	OversizeNALUs uint64
	NoParamSets   uint64 // keyframes dropped: no parameter sets known yet
	BadSPS        uint64
	BadDTS        uint64 // units whose decoding time could not be derived
	Rebases       uint64 // timestamp jumps smoothed over
	BrokenAudio   uint64 // audio frames dropped as empty or oversized
}

// Source supervises the pull of one camera.
type Source struct {
	opts Options
	log  *slog.Logger

	// The timelines of the hubs, kept across sessions (and codecs) so a
	// camera's timestamps only grow. Owned by Run.
	videoClock, audioClock clock.Clock

	mu       sync.Mutex
	counters Counters
	base     Counters // normalizer counts of the sessions that ended
}

// New checks opts and returns a Source; Run starts it.
func New(opts Options) (*Source, error) {
	if opts.Hub == nil {
		return nil, errors.New("source: no hub")
	}
	if opts.ResolveURL == nil {
		if _, err := rtsp.HostPort(opts.URL); err != nil {
			return nil, err
		}
	}
	setDefault(&opts.MinBackoff, time.Second)
	setDefault(&opts.MaxBackoff, 30*time.Second)
	setDefault(&opts.ConnectTimeout, 5*time.Second)
	setDefault(&opts.ReadTimeout, 10*time.Second)
	setDefault(&opts.StableAfter, 10*time.Second)
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Source{opts: opts, log: log.With("camera", opts.ID)}, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Counters returns a snapshot of the source's totals.
func (s *Source) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters
}

// Run pulls the camera until ctx is canceled, reconnecting forever.
func (s *Source) Run(ctx context.Context) {
	failures := 0
	var downSince time.Time // when the camera last stopped delivering video
	for {
		s.opts.Hub.SetStatus(hub.Status{State: hub.StateConnecting})
		s.mu.Lock()
		s.counters.Attempts++
		s.mu.Unlock()

		s.videoClock.Reset()
		s.audioClock.Reset()
		sess := &session{src: s}
		url, err := s.url(ctx)
		if err == nil {
			err = rtsp.Play(ctx, s.clientOptions(url), sess)
		}
		sess.collect()
		s.mu.Lock()
		s.base = s.counters
		s.mu.Unlock()
		if ctx.Err() != nil {
			s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
			s.setAudioOffline(hub.ReasonStopped)
			return
		}
		reason := reasonOf(err)
		s.setAudioOffline(reason)
		s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: reason, Detail: errDetail(err),
			Message: rtsp.Describe(err), Track: sess.track})
		s.log.Warn("camera stream down", "reason", reason, "err", errDetail(err))

		if sess.onlineFor() >= s.opts.StableAfter {
			failures = 0
		}
		if sess.isOnline() || downSince.IsZero() {
			downSince = time.Now()
		}
		wait := backoff.Policy{Min: s.opts.MinBackoff, Max: s.opts.MaxBackoff}.Wait(failures)
		failures++
		unreachable := reason == hub.ReasonUnreachable || reason == hub.ReasonTimeout
		if !s.waitForRetry(ctx, url, wait, downSince, unreachable) {
			s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
			s.setAudioOffline(hub.ReasonStopped)
			return
		}
	}
}

// url returns the URL of the next attempt.
func (s *Source) url(ctx context.Context) (string, error) {
	if s.opts.ResolveURL == nil {
		return s.opts.URL, nil
	}
	return s.opts.ResolveURL(ctx)
}

func (s *Source) clientOptions(url string) rtsp.ClientOptions {
	return rtsp.ClientOptions{
		URL:               url,
		Transport:         s.opts.Transport,
		ConnectTimeout:    s.opts.ConnectTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		UDPReadBufferSize: 4 << 20,
		Audio:             s.opts.AudioHub != nil,
		Secrets:           s.opts.Secrets,
		Demand:            s.opts.Hub,
	}
}

// setAudioOffline marks the audio hub offline unless it already is.
func (s *Source) setAudioOffline(reason string) {
	if h := s.opts.AudioHub; h != nil {
		if st := h.Status(); st.State != hub.StateOffline || st.Reason != reason {
			h.SetStatus(hub.Status{State: hub.StateOffline, Reason: reason})
		}
	}
}

// reasonOf maps a pull error onto the stable reason words of the API.
func reasonOf(err error) string {
	switch {
	case errors.Is(err, rtsp.ErrUnauthorized):
		return hub.ReasonUnauthorized
	case errors.Is(err, rtsp.ErrNotFound):
		return hub.ReasonNotFound
	case errors.Is(err, rtsp.ErrUnreachable):
		return hub.ReasonUnreachable
	case errors.Is(err, rtsp.ErrTimeout):
		return hub.ReasonTimeout
	case errors.Is(err, rtsp.ErrUnsupportedCodec):
		return hub.ReasonUnsupportedCodec
	}
	return hub.ReasonStreamError
}

func errDetail(err error) string {
	if err == nil {
		return "stream ended"
	}
	return err.Error()
}
