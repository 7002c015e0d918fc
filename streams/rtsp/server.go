package rtsp

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v4"
)

// ServerOptions configures a Server.
type ServerOptions struct {
	// Address is the RTSP (TCP) listen address, e.g. "127.0.0.1:8554".
	// Port 0 picks a free port, which then stays the same across Stop and
	// Start so clients can reconnect to a "rebooted" camera.
	Address string
	// UDP also offers the UDP transport, on a free even/odd port pair of
	// the same host (RTP must be even, RTCP the next port).
	UDP bool
	// Username, when not empty, makes DESCRIBE and SETUP demand these
	// credentials; Basic and Digest (MD5) are both accepted.
	Username string
	Password string
	// WriteQueueSize is the number of RTP packets queued per reader before
	// packets are dropped; a power of two. It defaults to 8192, enough for
	// one 6 MB access unit in flight.
	WriteQueueSize int
	// BurstPackets paces big access units as cameras do: after this many
	// packets the writer pauses BurstPause, so a 350 kB I_PCM IDR does not
	// overflow a UDP reader's socket buffer in one go. Default 32 packets
	// (about 46 kB) and 500µs; a negative BurstPackets sends at once.
	BurstPackets int
	BurstPause   time.Duration
	// OnPlay, when set, is called with the path (without leading "/")
	// each time a client starts playing it. Cameras answer a new session
	// with an IDR; simulated ones use this to do the same.
	OnPlay func(path string)
	// Refuse, when set, is asked on every DESCRIBE; a non-zero status is
	// answered with reason as its phrase, as a faulty or hostile camera
	// answers ("500 Internal Error for rtsp://user:pass@…").
	Refuse func(path string) (status int, reason string)
	// Deferred makes NewServer bind without serving: the caller adds its
	// paths, then calls Start. Clients connecting in between wait in the
	// listen backlog and find every path, as with a camera whose streams
	// exist before its RTSP server answers (instead of a 404 for a path
	// not added yet, which gateways that pull once at start give up on).
	Deferred bool
}

// Server serves streams over RTSP, one per path, as an IP camera does:
// H.264 or H.265 video, optionally with AAC, G.711 or Opus audio. Build it
// with NewServer, add paths with AddStream, feed them with WriteAccessUnit
// and WriteAudio; Stop and Start take the whole listener down and up again
// on the same ports.
type Server struct {
	opts ServerOptions

	// lifeMu serialises Start, Stop and Close; gortsplib callbacks never
	// take it, so Stop can wait for connections while holding it.
	lifeMu  sync.Mutex
	addr    string // bound RTSP address
	udpRTP  string // bound UDP RTP address, "" without UDP
	udpRTCP string
	closed  bool
	// prebound hands the listeners opened by NewServer (to learn the ports)
	// to the first gortsplib start.
	prebound *serverPrebound

	// mu guards srv, paths and each path's stream. Writers hold it shared;
	// Stop holds it exclusively only to detach the running server.
	mu    sync.RWMutex
	srv   *gortsplib.Server // nil while stopped
	paths map[string]*serverPath
}

// ErrServerStopped is returned by writes while the server is stopped; the
// access unit is dropped as a rebooting camera would drop it.
var ErrServerStopped = errors.New("rtsp server stopped")

// NewServer binds the listeners (resolving port 0) and starts serving,
// unless o.Deferred.
func NewServer(o ServerOptions) (*Server, error) {
	if o.WriteQueueSize == 0 {
		o.WriteQueueSize = 8192
	}
	if o.BurstPackets == 0 {
		o.BurstPackets = 32
	}
	if o.BurstPause == 0 {
		o.BurstPause = 500 * time.Microsecond
	}
	s := &Server{opts: o, paths: make(map[string]*serverPath)}
	pb, err := serverPrebind(o.Address, o.UDP)
	if err != nil {
		return nil, err
	}
	s.prebound = pb
	// Keep the host as given (":8554" stays all interfaces) with the port
	// resolved.
	host, _, _ := net.SplitHostPort(o.Address)
	s.addr = net.JoinHostPort(host, serverPort(pb.tcp.Addr()))
	if pb.rtp != nil {
		s.udpRTP = net.JoinHostPort(host, serverPort(pb.rtp.LocalAddr()))
		s.udpRTCP = net.JoinHostPort(host, serverPort(pb.rtcp.LocalAddr()))
	}
	if o.Deferred {
		return s, nil
	}
	if err := s.Start(); err != nil {
		pb.close()
		return nil, err
	}
	return s, nil
}

// Addr returns the RTSP listen address with the port resolved, e.g.
// "127.0.0.1:41234" or ":8554".
func (s *Server) Addr() string { return s.addr }

// URL returns the rtsp:// URL of a path, without credentials. A server
// listening on all interfaces is addressed through loopback.
func (s *Server) URL(path string) string {
	host, port, _ := net.SplitHostPort(s.addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "rtsp://" + net.JoinHostPort(host, port) + "/" + path
}

func serverPort(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// Running reports whether the listener is up.
func (s *Server) Running() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.srv != nil
}

// Start brings the listener up again after Stop, on the same ports.
// Starting a running server does nothing.
func (s *Server) Start() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return errors.New("rtsp server closed")
	}
	if s.Running() {
		return nil
	}
	srv := &gortsplib.Server{
		Handler:        &serverHandler{s: s},
		RTSPAddress:    s.addr,
		UDPRTPAddress:  s.udpRTP,
		UDPRTCPAddress: s.udpRTCP,
		WriteQueueSize: s.opts.WriteQueueSize,
	}
	if pb := s.prebound; pb != nil {
		s.prebound = nil
		srv.Listen = pb.listen
		srv.ListenPacket = pb.listenPacket
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("rtsp server start on %s: %w", s.addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srv = srv
	for _, p := range s.paths {
		if err := p.open(srv); err != nil {
			return err
		}
	}
	return nil
}

// Stop closes the listener and every session, like a camera rebooting:
// connections are refused until Start. Stopping a stopped server does
// nothing.
func (s *Server) Stop() {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.stopLocked()
}

func (s *Server) stopLocked() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	for _, p := range s.paths {
		p.close()
	}
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
		_ = srv.Wait() // returns the "terminated" error by design
	}
}

// DropPath closes the sessions reading path, as a camera's network blip
// does, and opens the path again at once for new ones.
func (s *Server) DropPath(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.paths[path]
	if !ok {
		return fmt.Errorf("rtsp path %q: not found", path)
	}
	if p.stream == nil {
		return nil // stopped: no session to drop
	}
	p.close()
	return p.open(s.srv)
}

// Close stops the server for good.
func (s *Server) Close() {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.closed = true
	s.stopLocked()
	if s.prebound != nil {
		s.prebound.close()
		s.prebound = nil
	}
}
