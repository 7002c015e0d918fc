// Package relay re-serves cameras' normalized streams over RTSP, to other
// vigil nodes and to users' tools (ffplay, VLC, an upper platform), and
// pulls such a stream back into a local hub on demand.
//
// The server is one more output of the hubs: each RTSP reader gets its own
// hub reader, so it starts at once from the cached GOP (keyframe with its
// parameter sets, then every frame since, then live, on the camera's own
// continuous timeline), and a slow reader only ever loses its own frames.
// Paths are /<camera> (main stream, with the camera's audio when it has
// some) and /<camera>/sub.
package relay

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"vigil/streams/hub"
	"vigil/streams/rtsp"
)

// Hubs are the hubs of one relayed stream.
type Hubs struct {
	Video *hub.Hub
	Audio *hub.Hub // nil when the stream has no audio
}

// View is one reader of the relay, as reported to OnView.
type View struct {
	User   string
	Camera string
	Sub    bool
	Remote string // the reader's address, host:port
}

// ErrUnknownCamera, returned by Options.Authorize, makes the camera not
// exist for the caller (404): a user limited to some stations learns
// nothing about the others.
var ErrUnknownCamera = errors.New("relay: no such camera")

// Options configure a Server. Zero durations take the defaults.
type Options struct {
	// Address is the RTSP listen address, e.g. ":8554"; port 0 picks one.
	Address string
	// Lookup returns the hubs of a camera's main or sub stream.
	Lookup func(camera string, sub bool) (Hubs, bool)
	// Authorize admits user with password (RTSP Basic) to camera; it is
	// asked at DESCRIBE and SETUP and again every Recheck while playing.
	// ErrUnknownCamera answers 404, any other error 401.
	Authorize func(ctx context.Context, user, password, camera string) error
	// OnView, when set, is called as a reader starts playing; the function
	// it returns is called when the reader stops (audit).
	OnView func(View) (end func())
	Logger *slog.Logger

	// Recheck is how often a playing reader's credentials are checked
	// again, so a revoked token or a changed station scope ends the pull
	// (default 1 min).
	Recheck time.Duration
	// RefusalLogEvery limits the log of refused credentials to one line
	// per client address per period (default 1 min); the lines in between
	// are counted into the next.
	RefusalLogEvery time.Duration
	// WriteTimeout drops a reader whose connection takes no data for this
	// long (default 10 s).
	WriteTimeout time.Duration
	// WriteQueueSize is the RTP packets queued per reader (a power of two,
	// default 8192: a few seconds' GOP at once); a reader whose queue is
	// full loses units up to the next keyframe.
	WriteQueueSize int
}

// Server is a running relay.
type Server struct {
	opts     Options
	log      *slog.Logger
	rtsp     *rtsp.PlayServer
	refusals *refusals
}

// New starts a relay server on opts.Address.
func New(opts Options) (*Server, error) {
	if opts.Lookup == nil || opts.Authorize == nil {
		return nil, errors.New("relay: Lookup and Authorize are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Recheck <= 0 {
		opts.Recheck = time.Minute
	}
	if opts.RefusalLogEvery <= 0 {
		opts.RefusalLogEvery = time.Minute
	}
	s := &Server{opts: opts, log: opts.Logger.With("component", "relay")}
	s.refusals = newRefusals(opts.RefusalLogEvery)
	srv, err := rtsp.NewPlayServer(rtsp.PlayServerOptions{
		Address: opts.Address, Handler: &handler{s: s}, WriteTimeout: opts.WriteTimeout,
		WriteQueueSize: opts.WriteQueueSize,
	})
	if err != nil {
		return nil, err
	}
	s.rtsp = srv
	return s, nil
}

// Addr returns the listen address with the port resolved.
func (s *Server) Addr() string { return s.rtsp.Addr() }

// Readers returns the number of readers playing now.
func (s *Server) Readers() int { return s.rtsp.Sessions() }

// Refused returns how many requests were refused for their credentials.
func (s *Server) Refused() uint64 { return s.refusals.total() }

// Close ends every reader's session and waits for them.
func (s *Server) Close() { s.rtsp.Close() }
