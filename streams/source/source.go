// Package source pulls one camera and publishes its normalized stream to a
// hub, reconnecting after any failure for as long as it runs.
package source

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"vigil/streams/avc"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/rtsp"
)

// Options configure a Source. Zero durations take the defaults.
type Options struct {
	ID        string
	URL       string // may carry credentials; never logged as is
	Transport string // auto, tcp or udp
	Hub       *hub.Hub
	Logger    *slog.Logger

	MinBackoff     time.Duration // first wait after a failure (default 1 s)
	MaxBackoff     time.Duration // longest wait between full attempts (default 30 s)
	ProbeInterval  time.Duration // TCP reachability check while down (default 1 s)
	ConnectTimeout time.Duration // default 5 s
	ReadTimeout    time.Duration // default 10 s
	// StableAfter is how long a session must have delivered video for the
	// backoff to start again from MinBackoff (default 10 s).
	StableAfter time.Duration
}

// Counters are the source's cumulative totals.
type Counters struct {
	avc.Counters
	Attempts     uint64
	DecodeErrors uint64
}

// Source supervises the pull of one camera.
type Source struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	counters Counters
}

// New checks opts and returns a Source; Run starts it.
func New(opts Options) (*Source, error) {
	if opts.Hub == nil {
		return nil, errors.New("source: no hub")
	}
	if _, err := rtsp.HostPort(opts.URL); err != nil {
		return nil, err
	}
	setDefault(&opts.MinBackoff, time.Second)
	setDefault(&opts.MaxBackoff, 30*time.Second)
	setDefault(&opts.ProbeInterval, time.Second)
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
	norm := &avc.Normalizer{}
	failures := 0
	for {
		s.opts.Hub.SetStatus(hub.Status{State: hub.StateConnecting})
		s.mu.Lock()
		s.counters.Attempts++
		s.mu.Unlock()

		sess := &session{src: s, norm: norm}
		norm.Reconnected()
		err := rtsp.Play(ctx, s.clientOptions(), sess)
		s.collect(norm)
		if ctx.Err() != nil {
			s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
			return
		}
		reason := reasonOf(err)
		s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: reason, Detail: errDetail(err),
			Message: rtsp.Describe(err), Track: sess.track})
		s.log.Warn("camera stream down", "reason", reason, "err", errDetail(err))

		if sess.onlineFor() >= s.opts.StableAfter {
			failures = 0
		}
		wait := backoff(failures, s.opts.MinBackoff, s.opts.MaxBackoff)
		failures++
		if !s.waitForRetry(ctx, wait, reason == hub.ReasonUnreachable || reason == hub.ReasonTimeout) {
			s.opts.Hub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonStopped})
			return
		}
	}
}

func (s *Source) clientOptions() rtsp.ClientOptions {
	return rtsp.ClientOptions{
		URL:               s.opts.URL,
		Transport:         s.opts.Transport,
		ConnectTimeout:    s.opts.ConnectTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		UDPReadBufferSize: 4 << 20,
	}
}

// waitForRetry waits out the backoff, probing the camera's port every
// ProbeInterval. When the camera was unreachable and now answers, it
// returns at once: the backoff exists to spare a camera that answers but
// fails, not to delay one that has just come back.
func (s *Source) waitForRetry(ctx context.Context, wait time.Duration, wasUnreachable bool) bool {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	probe := time.NewTicker(s.opts.ProbeInterval)
	defer probe.Stop()
	down := wasUnreachable
	for {
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return true
		case <-probe.C:
			pctx, cancel := context.WithTimeout(ctx, s.opts.ProbeInterval)
			err := rtsp.Probe(pctx, s.opts.URL)
			cancel()
			if err != nil {
				down = true
				continue
			}
			if down {
				s.log.Info("camera answers again; reconnecting now")
				return true
			}
		}
	}
}

func (s *Source) collect(norm *avc.Normalizer) {
	s.mu.Lock()
	s.counters.Counters = norm.Counters()
	s.mu.Unlock()
}

// session handles the callbacks of one RTSP session.
type session struct {
	src       *Source
	norm      *avc.Normalizer
	track     media.Track
	others    []media.Codec
	online    bool
	onlineAt  time.Time
	lastFrame time.Time
	mu        sync.Mutex
}

func (ss *session) OnDescribe(d rtsp.Description) {
	ss.others = d.Others
	ss.norm.SetParams(d.SPS, d.PPS)
	ss.track.Codec = media.CodecH264
	if len(d.SPS) == 0 && len(d.Others) > 0 {
		ss.track.Codec = d.Others[0]
	}
	ss.track.Others = d.Others
}

func (ss *session) OnAccessUnit(nalus [][]byte, pts90k int64, received time.Time) {
	au := ss.norm.Normalize(nalus, pts90k, received)
	ss.src.collect(ss.norm)
	if au == nil {
		return
	}
	track, changed := ss.norm.Track()
	if au.Key && (!ss.isOnline() || changed) {
		track.Others = ss.others
		ss.track = track
		ss.setOnline(received)
		ss.src.opts.Hub.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
	}
	ss.mu.Lock()
	ss.lastFrame = received
	ss.mu.Unlock()
	ss.src.opts.Hub.Publish(au)
}

func (ss *session) OnDecodeError(error) {
	ss.src.mu.Lock()
	ss.src.counters.DecodeErrors++
	ss.src.mu.Unlock()
}

func (ss *session) isOnline() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.online
}

func (ss *session) setOnline(at time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !ss.online {
		ss.online = true
		ss.onlineAt = at
	}
}

func (ss *session) onlineFor() time.Duration {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !ss.online {
		return 0
	}
	return ss.lastFrame.Sub(ss.onlineAt)
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
