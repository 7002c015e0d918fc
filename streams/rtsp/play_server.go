package rtsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/auth"

	"vigil/streams/media"
)

// PlayServerOptions configure a PlayServer.
type PlayServerOptions struct {
	// Address is the RTSP (TCP) listen address; port 0 picks a free port.
	Address string
	// Handler decides who may read what, and feeds each reader.
	Handler PlayHandler
	// WriteQueueSize is the number of RTP packets queued per reader before
	// packets are dropped; a power of two. Default 8192: a cached GOP of a
	// few seconds fits at once.
	WriteQueueSize int
	// ReadTimeout and WriteTimeout bound each request and each write to a
	// reader's connection (default 10 s): a reader that stops reading is
	// dropped, it never holds anything up.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
}

// Credentials are what a client sent with a request: RTSP Basic
// authentication, so the handler sees the password itself (a token or a
// shared secret can be checked without knowing it in advance, which Digest
// would need). Remote is the client's address.
type Credentials struct {
	User     string
	Password string
	Remote   string
}

// Tracks are what a path serves: a video track and, optionally, audio.
type Tracks struct {
	Video media.Track
	Audio *media.Track
}

// Answers a PlayHandler gives besides a plain refusal (401 for any other
// Authorize error).
var (
	// ErrNoSuchPath makes a request fail with 404.
	ErrNoSuchPath = errors.New("rtsp: no such path")
	// ErrNotReady makes a request fail with 503: the path exists but
	// cannot describe its tracks yet (its camera was never seen).
	ErrNotReady = errors.New("rtsp: stream not ready")
)

// PlayHandler is what a PlayServer asks. Its methods are called from
// gortsplib's goroutines, concurrently for different clients.
type PlayHandler interface {
	// Authorize admits a request for path, or refuses it with an error
	// (ErrNoSuchPath for a path that does not exist for these credentials).
	Authorize(ctx context.Context, path string, c Credentials) error
	// Describe returns the tracks of path, ErrNoSuchPath or ErrNotReady.
	Describe(path string) (Tracks, error)
	// Play feeds one reader until ctx ends (the reader left or the server
	// closes) or it returns; returning ends the reader's session.
	Play(ctx context.Context, s *PlaySession) error
}

// PlayServer serves RTSP readers each with a stream of its own: unlike
// Server, where every reader of a path gets the same packets, here every
// session runs the handler's Play, so each reader can start from its own
// point (a cached GOP) at its own pace. Only TCP (interleaved) transport
// is offered: it crosses firewalls and loses nothing on the way.
type PlayServer struct {
	opts PlayServerOptions
	srv  *gortsplib.Server
	addr string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // Play goroutines

	mu       sync.Mutex
	sessions map[*gortsplib.ServerSession]*PlaySession
}

// NewPlayServer binds the listener and starts serving.
func NewPlayServer(o PlayServerOptions) (*PlayServer, error) {
	if o.Handler == nil {
		return nil, errors.New("rtsp play server: no handler")
	}
	if o.WriteQueueSize == 0 {
		o.WriteQueueSize = 8192
	}
	ln, err := net.Listen("tcp", o.Address)
	if err != nil {
		return nil, fmt.Errorf("rtsp listen %s: %w", o.Address, err)
	}
	s := &PlayServer{opts: o, addr: ln.Addr().String(), sessions: make(map[*gortsplib.ServerSession]*PlaySession)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.srv = &gortsplib.Server{
		Handler:        &playHandler{s: s},
		RTSPAddress:    s.addr,
		ReadTimeout:    o.ReadTimeout,
		WriteTimeout:   o.WriteTimeout,
		WriteQueueSize: o.WriteQueueSize,
		// Basic only: the handler needs the password itself.
		AuthMethods: []auth.VerifyMethod{auth.VerifyMethodBasic},
		Listen: func(string, string) (net.Listener, error) {
			return ln, nil
		},
	}
	if err := s.srv.Start(); err != nil {
		ln.Close()
		s.cancel()
		return nil, fmt.Errorf("rtsp play server start on %s: %w", s.addr, err)
	}
	return s, nil
}

// Addr returns the listen address with the port resolved.
func (s *PlayServer) Addr() string { return s.addr }

// Sessions returns the number of readers playing now.
func (s *PlayServer) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ps := range s.sessions {
		if ps.playing {
			n++
		}
	}
	return n
}

// Close ends every session and waits for the handler's Play calls to
// return.
func (s *PlayServer) Close() {
	s.cancel()
	s.srv.Close()
	_ = s.srv.Wait() // returns the "terminated" error by design
	s.wg.Wait()
}

// session returns the PlaySession of a gortsplib session, or nil.
func (s *PlayServer) session(ss *gortsplib.ServerSession) *PlaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[ss]
}

// addSession registers ps. gortsplib handles one session's requests one
// at a time, so no other SETUP of the same session can race it.
func (s *PlayServer) addSession(ps *PlaySession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[ps.ss] = ps
}

// startPlay runs the handler's Play for ps once (a repeated PLAY changes
// nothing), on its own goroutine owned by the server. audio tells whether
// the reader set the audio media up. When Play returns, the session is
// closed.
func (s *PlayServer) startPlay(ps *PlaySession, audio bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps.playing || s.ctx.Err() != nil {
		return
	}
	ps.playing = true
	ps.audioSetup = audio
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer ps.ss.Close()
		_ = s.opts.Handler.Play(ps.ctx, ps)
	}()
}

// endSession forgets a closed gortsplib session and stops its Play.
func (s *PlayServer) endSession(ss *gortsplib.ServerSession) {
	s.mu.Lock()
	ps := s.sessions[ss]
	delete(s.sessions, ss)
	s.mu.Unlock()
	if ps != nil {
		ps.cancel()
		ps.stream.Close()
	}
}
