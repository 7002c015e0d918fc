// Package api is the gateway's HTTP surface (DESIGN.md "HTTP surface"):
// login, stations and cameras, WHEP, health. Handlers are thin: they check
// who asks, decode, call the catalog or the WebRTC engine, and encode.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/httpsec"
)

// Users is the part of the auth service the API uses.
type Users interface {
	Login(ctx context.Context, username, password, remoteAddr string) (token string, user auth.User, err error)
	Authenticate(ctx context.Context, token string) (auth.User, error)
	Logout(ctx context.Context, token string) error
}

// Options are the API's dependencies.
type Options struct {
	Users   Users
	Catalog CameraCatalog
	WebRTC  PeerSessions
	Logger  *slog.Logger
	// Metrics serves Prometheus metrics to authenticated users.
	Metrics http.Handler
	// UI serves the console for every path the API does not own.
	UI http.Handler
	// SecureCookies marks the session cookie Secure (set under TLS) and
	// turns on Strict-Transport-Security.
	SecureCookies bool
	// Accounts administers users and API tokens (access.go).
	Accounts Accounts
	// Audit records who did what; AuditLog reads it back. Nil: no audit.
	Audit    audit.Recorder
	AuditLog AuditLog
	// Recheck is how often a WHEP viewer's session is re-validated; a
	// session that ended (or a camera no longer visible) ends the view.
	// Default 30 s.
	Recheck time.Duration
	// Console serves the console WebSocket, Walls the video walls and
	// Layouts the saved layouts (layouts.go, walls.go, ws.go); all three
	// or none.
	Console ConsoleServer
	Walls   WallControl
	Layouts LayoutStore
	// Tours keeps tours and favourite cameras (tours.go); nil: no such
	// routes.
	Tours TourStore
	// WallTours run tours on walls (PUT /api/walls/{id} {"tour_id"});
	// nil: walls take no tours.
	WallTours WallTourRunner
	// Clips runs incident clip exports (clips.go); nil: no clip routes.
	Clips ClipService
	// Recordings serve playback and the recording routes (playback.go,
	// recordings.go); nil: WHEP is live only and the routes answer 422.
	Recordings Recordings
	// Recorders tell each camera's recording state; nil: none shown.
	Recorders RecorderStates
	// Cluster shows the nodes and camera owners; nil on a single node.
	Cluster ClusterView
	// Ready tells /readyz why this node cannot serve (nil: it can).
	Ready func(context.Context) error
	// NodeSecret and NodeRecordings, in a cluster, serve this node's
	// recordings to the other nodes (noderec.go); empty: no such routes.
	NodeSecret     string
	NodeRecordings NodeRecordings
	// OnAuthenticated is told of every request that authenticated (the
	// listener stops counting its connection as anonymous); nil: nothing.
	OnAuthenticated func(r *http.Request)
	// MaxWHEPPerUser and MaxConsolesPerUser cap one user's live WHEP
	// sessions and console WebSockets (429 beyond); 0: no cap.
	MaxWHEPPerUser     int
	MaxConsolesPerUser int

	// Bookmarks keeps bookmarks and evidence locks (bookmarks.go); nil: no
	// such routes. LockedUsage tells the bytes locks hold (nil: none).
	Bookmarks   BookmarkStore
	LockedUsage LockedUsage
	// Snapshots makes JPEG stills of cameras (snapshot.go); nil: no route.
	Snapshots Snapshots
	// Alarms lists and acknowledges alarms (alarms.go); nil: no routes.
	Alarms AlarmService
	// Webhooks reads the webhook delivery log, Reload reloads the config
	// (reload.go); nil: no such route.
	Webhooks WebhookLog
	Reload   Reloader
	// PTZ controls the domes and Discover finds ONVIF devices (ptz.go);
	// nil: no such routes.
	PTZ      PTZControl
	Discover Discoverer
}

// Server routes and serves API requests.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux

	table                   []Route
	whep                    whepSessions
	whepSlots, consoleSlots userSlots // live sessions per user (limits.go)

	recheck  recheckLoop   // re-validates WHEP viewers (whep_recheck.go)
	verified verifiedClips // clip file versions that passed verification (clipfile.go)

	draining atomic.Bool // drain.go

	loginFailures loginFailures // usage.go
}

// New builds the API's routes.
func New(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{opts: opts, log: log, mux: http.NewServeMux()}
	s.whep.sessions = make(map[string]*whepSession)
	s.routes()
	return s
}

// Route is one endpoint and the action it performs: the table every
// request's authorization is decided from, and that the authorization test
// walks. A route missing here does not exist.
type Route struct {
	Method, Pattern string
	Action          authz.Action
	handler         authedHandler
}

// Routes returns the API's routes.
func (s *Server) Routes() []Route { return s.table }

func (s *Server) routes() {
	s.table = []Route{
		{"GET", "/healthz", authz.ActionPublic, s.handleHealth},
		{"POST", "/api/session", authz.ActionPublic, s.handleLogin},
		{"GET", "/api/session", authz.ActionAccount, s.handleWhoAmI},
		{"DELETE", "/api/session", authz.ActionAccount, s.handleLogout},
		{"GET", "/api/stations", authz.ActionSession, s.handleStations},
		{"GET", "/api/cameras/{id}", authz.ActionView, s.handleCamera},
		{"POST", "/api/whep/{camera}", authz.ActionView, s.unlessDraining(s.audited(s.handleWHEPOffer))},
		{"DELETE", "/api/whep/{camera}/{session}", authz.ActionView, s.handleWHEPDelete},
	}
	s.table = append(s.table, s.clusterRoutes()...)
	s.table = append(s.table, s.nodeRoutes()...)
	if s.opts.Accounts != nil {
		s.table = append(s.table, s.accessRoutes()...)
	}
	if s.opts.Console != nil {
		s.table = append(s.table, s.consoleRoutes()...)
	}
	if s.opts.Tours != nil {
		s.table = append(s.table, s.tourRoutes()...)
	}
	if s.opts.Clips != nil {
		s.table = append(s.table, s.clipRoutes()...)
	}
	s.table = append(s.table, s.recordingRoutes()...)
	if s.opts.Bookmarks != nil {
		s.table = append(s.table, s.bookmarkRoutes()...)
	}
	if s.opts.Snapshots != nil {
		s.table = append(s.table, s.snapshotRoutes()...)
	}
	if s.opts.Alarms != nil {
		s.table = append(s.table, s.alarmRoutes()...)
	}
	s.table = append(s.table, s.reloadRoutes()...)
	s.table = append(s.table, s.ptzRoutes()...)
	if s.opts.Metrics != nil {
		s.table = append(s.table, Route{"GET", "/metrics", authz.ActionMetrics,
			func(w http.ResponseWriter, r *http.Request, _ auth.User) { s.opts.Metrics.ServeHTTP(w, r) }})
	}
	for _, rt := range s.table {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.authorize(rt))
	}
	s.mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	}))
	if s.opts.UI != nil {
		s.mux.Handle("/", s.opts.UI)
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	httpsec.Set(w.Header())
	if s.opts.SecureCookies {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// Close ends every WHEP session.
func (s *Server) Close() {
	s.recheck.stop()
	s.whep.closeAll()
}

// whepSessions tracks live WHEP sessions by id.
type whepSessions struct {
	mu       sync.Mutex
	sessions map[string]*whepSession
}
