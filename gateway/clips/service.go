// Package clips runs incident clip exports for the gateway: it checks a
// request, stores the job (the store's clips table), exports it in the
// background with a bounded number of workers (streams/clip), signs the
// result (streams/evidence) and reports progress to the exporter. Files are
// <Dir>/<id>.mp4 and <Dir>/<id>.manifest.json, the id always generated
// here, never taken from a request. Jobs survive restarts: queued ones run
// again, one that was running is marked failed and its partial file removed.
package clips

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/store"
	"vigil/streams/clip"
	"vigil/streams/evidence"
)

// Job statuses.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Store is where jobs are kept; *store.Store implements it.
type Store interface {
	CreateClip(ctx context.Context, c store.Clip) (store.Clip, error)
	UpdateClip(ctx context.Context, c store.Clip) error
	GetClip(ctx context.Context, id string) (store.Clip, error)
	ListClipsOf(ctx context.Context, exporter string, limit int) ([]store.Clip, error)
	ClipsWithStatus(ctx context.Context, statuses ...string) ([]store.Clip, error)
}

// Update is a job's state as pushed to the exporter's consoles.
type Update struct {
	ID       string
	Camera   string
	Status   string
	Progress float64
	Size     int64
	Error    string
}

// Options are a Service's dependencies. Store, Recordings, Key and Dir are
// required.
type Options struct {
	Store      Store
	Recordings clip.Store // *segstore.Index
	Key        *evidence.Key
	Dir        string // <data>/clips
	// StationOf names a camera's station, for the manifest.
	StationOf func(camera string) string
	// WhyNotRecorded, when set, says why a camera is not recorded at all
	// (recording off, a codec segments cannot hold), "" when it is: an
	// export with nothing recorded then names the cause.
	WhyNotRecorded func(camera string) string
	// MaxDuration bounds a clip (default 1 h).
	MaxDuration time.Duration
	Workers     int // exports at once (default 2)
	MaxQueued   int // jobs waiting before Start answers ErrBusy (default 32)
	Audit       audit.Recorder
	// Notify receives every change of a job (from a worker goroutine); it
	// must not block.
	Notify func(user string, u Update)
	Logger *slog.Logger
	Now    func() time.Time // for tests
}

// Request is one export asked for.
type Request struct {
	Camera   string
	From, To time.Time
	Reason   string
	Exporter string // the user
	IP       string // the user's address, for the audit log
}

// Service runs exports.
type Service struct {
	opts Options
	log  *slog.Logger
	exp  *clip.Exporter

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	queue    []string // job ids, oldest first
	wake     chan struct{}
	draining bool          // Drain ran: workers take no more jobs
	drain    chan struct{} // closed by Drain

	jobs jobCounts // metrics.go
}

// New recovers the jobs of a previous run and starts the workers.
func New(ctx context.Context, opts Options) (*Service, error) {
	if opts.Store == nil || opts.Recordings == nil || opts.Key == nil || opts.Dir == "" {
		return nil, errors.New("clips: Store, Recordings, Key and Dir are required")
	}
	if opts.MaxDuration <= 0 {
		opts.MaxDuration = time.Hour
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	if opts.MaxQueued <= 0 {
		opts.MaxQueued = 32
	}
	if opts.Audit == nil {
		opts.Audit = audit.Nop{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StationOf == nil {
		opts.StationOf = func(string) string { return "" }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("clips: %w", err)
	}
	s := &Service{opts: opts, log: opts.Logger.With("component", "clips"), wake: make(chan struct{}, 1),
		drain: make(chan struct{}),
		exp:   &clip.Exporter{Store: opts.Recordings, MaxDuration: opts.MaxDuration, Now: opts.Now}}
	if err := s.recover(ctx); err != nil {
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for range opts.Workers {
		s.wg.Go(s.work)
	}
	return s, nil
}

// Drain lets the running exports finish and takes no queued one; it
// returns when they are done or ctx ends. Queued jobs stay queued for the
// next start.
func (s *Service) Drain(ctx context.Context) {
	s.mu.Lock()
	if !s.draining {
		s.draining = true
		close(s.drain)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { // ends with the workers, which Close ends at the latest
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Close stops the workers; a running export is abandoned and queued again
// for the next start.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// MaxDuration is the longest clip Start accepts.
func (s *Service) MaxDuration() time.Duration { return s.opts.MaxDuration }

// Start checks req and queues its export. It fails with ErrInvalid (bad
// input), ErrNoRecording (nothing recorded in the range) or ErrBusy;
// nothing is stored then.
func (s *Service) Start(ctx context.Context, req Request) (store.Clip, error) {
	req, err := check(req, s.opts.Now(), s.opts.MaxDuration)
	if err != nil {
		return store.Clip{}, err
	}
	if !recorded(s.opts.Recordings, req.Camera, req.From, req.To) {
		if s.opts.WhyNotRecorded != nil {
			if why := s.opts.WhyNotRecorded(req.Camera); why != "" {
				return store.Clip{}, fmt.Errorf("%w: %s", ErrNotRecordable, why)
			}
		}
		return store.Clip{}, ErrNoRecording
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= s.opts.MaxQueued {
		return store.Clip{}, ErrBusy
	}
	c, err := s.opts.Store.CreateClip(ctx, store.Clip{Camera: req.Camera, From: req.From, To: req.To,
		Reason: req.Reason, Exporter: req.Exporter, Status: StatusQueued})
	if err != nil {
		return store.Clip{}, err
	}
	s.opts.Audit.Record(ctx, audit.Entry{User: req.Exporter, Action: audit.ActionClipExport, Camera: req.Camera,
		Detail: map[string]any{"id": c.ID, "result": "started", "from": rfc3339(req.From), "to": rfc3339(req.To),
			"reason": req.Reason, "ip": req.IP}})
	s.log.Info("clip export queued", "id", c.ID, "camera", c.Camera, "user", c.Exporter,
		"from", req.From, "to", req.To)
	s.enqueueLocked(c.ID)
	return c, nil
}

func (s *Service) enqueueLocked(id string) {
	s.queue = append(s.queue, id)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// next takes the oldest queued job, waiting for one; "" when closing or
// draining.
func (s *Service) next() string {
	for {
		s.mu.Lock()
		if s.draining {
			s.mu.Unlock()
			return ""
		}
		if len(s.queue) > 0 {
			id := s.queue[0]
			s.queue = s.queue[1:]
			more := len(s.queue) > 0
			s.mu.Unlock()
			if more { // pass the wake-up on to another worker
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
			return id
		}
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return ""
		case <-s.drain:
			return ""
		case <-s.wake:
		}
	}
}

func (s *Service) work() {
	for {
		id := s.next()
		if id == "" {
			return
		}
		s.export(id)
	}
}

// Get returns a job; ErrNotFound for an id that is not one.
func (s *Service) Get(ctx context.Context, id string) (store.Clip, error) {
	if !ValidID(id) {
		return store.Clip{}, ErrNotFound
	}
	c, err := s.opts.Store.GetClip(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Clip{}, ErrNotFound
	}
	return c, err
}

// List returns the newest jobs of exporter ("" for everyone's).
func (s *Service) List(ctx context.Context, exporter string, limit int) ([]store.Clip, error) {
	return s.opts.Store.ListClipsOf(ctx, exporter, limit)
}

// Files returns the clip's MP4 and manifest paths, once it is done.
func (s *Service) Files(c store.Clip) (mp4, manifest string, err error) {
	if !ValidID(c.ID) {
		return "", "", ErrNotFound
	}
	if c.Status != StatusDone {
		return "", "", ErrNotReady
	}
	mp4 = s.clipPath(c.ID)
	return mp4, evidence.ManifestPath(mp4), nil
}

// Verify checks a done clip against its manifest and this gateway's key.
func (s *Service) Verify(c store.Clip) error {
	mp4, manifest, err := s.Files(c)
	if err != nil {
		return err
	}
	return evidence.VerifyTrusted(mp4, manifest, s.opts.Key.Public())
}

func (s *Service) clipPath(id string) string { return filepath.Join(s.opts.Dir, id+".mp4") }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// recorder is a recording index that can tell whether a range holds
// anything without reading (or fetching) its segments.
type recorder interface {
	Recorded(camera string, from, to time.Time) bool
}

func recorded(st clip.Store, camera string, from, to time.Time) bool {
	if r, ok := st.(recorder); ok {
		return r.Recorded(camera, from, to)
	}
	return len(st.Segments(camera, from, to)) > 0
}
