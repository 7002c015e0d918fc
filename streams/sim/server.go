// Package sim provides simulated IP cameras served over real RTSP, for
// demo mode, tests, benchmarks and cmd/camsim. Each camera has a main
// stream at /<name> and a half-size sub stream at /<name>/sub: H.264 coded
// live by h264enc, or H.264 (with B-frames if asked) or H.265 from a loop
// coded once by ffmpeg; the main stream may carry AAC, G.711 or Opus
// audio. A camera can be "rebooted" (Stop/Start) and made to send garbage.
package sim

import (
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vigil/internal/ids"
	"vigil/streams/rtsp"
)

// ServerOptions configures a Server.
type ServerOptions struct {
	// Listen is the RTSP address; port 0 picks a free port.
	// Default "127.0.0.1:8554".
	Listen string
	// Names are the camera names (and paths). When empty, Cameras cameras
	// named cam0, cam1, ... are created.
	Names   []string
	Cameras int
	// Width and Height of main streams (default 640x360), FPS (default 25)
	// and GOP in frames (default 2*FPS).
	Width, Height int
	FPS           int
	GOP           int
	// Username, when not empty, makes the cameras demand these
	// credentials (Basic or Digest).
	Username string
	Password string
	// NoUDP offers only the TCP (interleaved) transport.
	NoUDP bool
	// PTZ names the cameras that are domes (see CameraOptions.PTZ).
	PTZ []string
	// Configure, when set, is called for every camera before it is
	// created, with the options built from the fields above; it may
	// change any of them (codec, audio, size, bitrate, tag, ...) but the
	// Name. Cameras are then created concurrently.
	Configure func(name string, o *CameraOptions)
}

// Server is a set of simulated cameras on one RTSP listener.
type Server struct {
	opts   ServerOptions
	rtsp   *rtsp.Server
	cams   []*Camera
	byName map[string]*Camera // written only before ready is set
	ready  atomic.Bool
}

// NewServer starts the listener and the cameras.
func NewServer(o ServerOptions) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8554"
	}
	names := o.Names
	if len(names) == 0 {
		for i := range o.Cameras {
			names = append(names, fmt.Sprintf("cam%d", i))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("sim: no cameras")
	}
	s := &Server{opts: o, byName: make(map[string]*Camera)}
	srv, err := rtsp.NewServer(rtsp.ServerOptions{
		Address: o.Listen, UDP: !o.NoUDP, Username: o.Username, Password: o.Password,
		OnPlay: s.requestIDR, Deferred: true, Refuse: s.refuse,
	})
	if err != nil {
		return nil, err
	}
	s.rtsp = srv
	if err := s.addCameras(names); err != nil {
		s.Close()
		return nil, err
	}
	s.ready.Store(true)
	if err := srv.Start(); err != nil { // every path exists: serve
		s.Close()
		return nil, err
	}
	return s, nil
}

// addCameras creates the cameras, several at a time: a camera coded by
// ffmpeg spends a fraction of a second encoding its loops.
func (s *Server) addCameras(names []string) error {
	opts := make([]CameraOptions, len(names))
	seen := make(map[string]bool, len(names))
	for i, name := range names {
		if !ids.Valid(name) || seen[name] { // paths use the id verbatim
			return fmt.Errorf("sim: camera name %q invalid or repeated", name)
		}
		seen[name] = true
		o := s.opts
		opts[i] = CameraOptions{Name: name, Index: i, Width: o.Width, Height: o.Height, FPS: o.FPS, GOP: o.GOP}
		if slices.Contains(o.PTZ, name) {
			opts[i].PTZ = NewPTZ()
		}
		if o.Configure != nil {
			o.Configure(name, &opts[i])
			opts[i].Name = name // the path is not the hook's to change
		}
	}
	cams := make([]*Camera, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range opts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cams[i], errs[i] = newCamera(opts[i], s.rtsp)
		})
	}
	wg.Wait()
	for i, c := range cams {
		if c != nil {
			s.cams = append(s.cams, c)
			s.byName[names[i]] = c
		}
	}
	for _, err := range errs {
		if err != nil {
			return err // the first: the others likely say the same
		}
	}
	return nil
}

// requestIDR makes the camera of path start with a keyframe as soon as it
// can, as real cameras do when a session starts playing.
func (s *Server) requestIDR(path string) {
	if !s.ready.Load() {
		return // cameras still being built; each starts with an IDR anyway
	}
	if c, ok := s.byName[strings.TrimSuffix(path, SubPathSuffix)]; ok {
		c.requestIDR()
	}
}

// Addr returns the bound RTSP address (host:port).
func (s *Server) Addr() string { return s.rtsp.Addr() }

// Cameras returns the camera names in creation order.
func (s *Server) Cameras() []string {
	out := make([]string, len(s.cams))
	for i, c := range s.cams {
		out[i] = c.Name()
	}
	return out
}

// URL returns the main stream URL of camera cam, with the credentials
// when the server demands them.
func (s *Server) URL(cam string) string { return s.url(cam) }

// SubURL returns the sub stream URL of camera cam.
func (s *Server) SubURL(cam string) string { return s.url(cam + SubPathSuffix) }

func (s *Server) url(path string) string {
	u, err := url.Parse(s.rtsp.URL(path))
	if err != nil {
		panic(err) // built from a validated name and a bound address
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	return u.String()
}

// PTZ returns camera cam's dome mechanics, nil when it is no dome.
func (s *Server) PTZ(cam string) *PTZ {
	if c, ok := s.byName[cam]; ok {
		return c.opts.PTZ
	}
	return nil
}

// Stop takes the listener down like a camera rebooting: sessions end and
// connections are refused until Start. The cameras keep ticking.
func (s *Server) Stop() { s.rtsp.Stop() }

// Start brings the listener back on the same address; each camera's first
// picture after it is a keyframe.
func (s *Server) Start() error { return s.rtsp.Start() }

// SetGarbage sets camera cam's wire behaviour.
func (s *Server) SetGarbage(cam string, g Garbage) error {
	c, ok := s.byName[cam]
	if !ok {
		return fmt.Errorf("sim: no camera %q", cam)
	}
	c.SetGarbage(g)
	return nil
}

// SetFault makes camera cam show fault f (FaultNone heals it). For
// FaultUnauthorized the camera's open sessions are dropped too, so the
// gateway meets the 401 when it reconnects.
func (s *Server) SetFault(cam string, f Fault) error {
	c, ok := s.byName[cam]
	if !ok {
		return fmt.Errorf("sim: no camera %q", cam)
	}
	if err := c.SetFault(f); err != nil {
		return err
	}
	if f == FaultUnauthorized {
		return s.Drop(cam)
	}
	return nil
}

// Drop closes the open sessions of camera cam (main and sub stream), as
// a camera's network blip does; new sessions are accepted at once.
func (s *Server) Drop(cam string) error {
	if _, ok := s.byName[cam]; !ok {
		return fmt.Errorf("sim: no camera %q", cam)
	}
	if err := s.rtsp.DropPath(cam); err != nil {
		return err
	}
	return s.rtsp.DropPath(cam + SubPathSuffix)
}

// refuse answers 401 for a camera with FaultUnauthorized.
func (s *Server) refuse(path string) (int, string) {
	if !s.ready.Load() {
		return 0, ""
	}
	if c, ok := s.byName[strings.TrimSuffix(path, SubPathSuffix)]; ok && c.Fault() == FaultUnauthorized {
		return 401, "Unauthorized"
	}
	return 0, ""
}

// Misbehaved returns how many frame times camera cam has spent in a
// garbage mode (0 for an unknown camera).
func (s *Server) Misbehaved(cam string) uint64 {
	if c, ok := s.byName[cam]; ok {
		return c.Misbehaved()
	}
	return 0
}

// LastSent is when camera cam's main stream last sent a picture (zero
// for none, or an unknown camera).
func (s *Server) LastSent(cam string) time.Time {
	if c, ok := s.byName[cam]; ok {
		return c.LastSent()
	}
	return time.Time{}
}

// Close stops the cameras and the listener and waits for them.
func (s *Server) Close() {
	for _, c := range s.cams {
		c.Close()
	}
	s.rtsp.Close()
}
