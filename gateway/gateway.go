// Package gateway wires vigil together and owns its lifecycle: config,
// storage and auth, the camera sources and their hubs, the WebRTC engine
// and the HTTP server. Media flows one way, source → hub → outputs; the
// gateway only connects the pieces.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vigil/gateway/api"
	"vigil/gateway/catalog"
	"vigil/gateway/clips"
	"vigil/gateway/cluster"
	"vigil/gateway/config"
	"vigil/gateway/events"
	"vigil/gateway/ptz"
	"vigil/streams/hub"
	"vigil/streams/onvif"
	"vigil/streams/relay"
	"vigil/streams/sim"
	"vigil/streams/webrtc"
	"vigil/webui"
)

// Options configure a gateway. See DESIGN.md "Command line".
type Options struct {
	ConfigPath    string // empty: demo mode
	HTTPAddr      string
	DataDir       string
	WebRTCUDPAddr string
	WebRTCTCPAddr string
	AdminPassword string // VIGIL_ADMIN_PASSWORD
	// WebUIDir serves the console from disk instead of the embedded copy
	// (development).
	WebUIDir string
	Logger   *slog.Logger
	// TLSCertFile and TLSKeyFile (PEM), both set, serve HTTPS: session
	// cookies get Secure and responses Strict-Transport-Security.
	TLSCertFile string
	TLSKeyFile  string
	// Node is this process's name in a cluster (-node, VIGIL_NODE); it
	// must be one of the config's cluster.nodes.
	Node string
	// RelayAddr, when set, serves every camera's normalized stream over
	// RTSP there (-relay, VIGIL_RELAY): to users' tools with an API token
	// as the password, and to other nodes with ClusterSecret.
	RelayAddr string
	// ClusterSecret admits other nodes to the relay; empty admits none.
	// The cluster config fills it.
	ClusterSecret string
	// DrainDelay is how long Drain keeps the listener open answering
	// /readyz 503 at least, so load balancers take the node out before it
	// closes (-drain-delay).
	DrainDelay time.Duration
	// ONVIFTimeout bounds each call to a camera's ONVIF device; default
	// 5 s.
	ONVIFTimeout time.Duration
	// DiscoveryWait is how long POST /api/onvif/discover collects the
	// devices' answers; default 2 s.
	DiscoveryWait time.Duration
	// DiscoveryGroup is where the probe goes; default the WS-Discovery
	// multicast group (tests point it at loopback).
	DiscoveryGroup string
	// PTZAutoStop is how soon a dome move nobody repeats is stopped;
	// default 1 s.
	PTZAutoStop time.Duration
}

// Gateway is a running vigil.
type Gateway struct {
	log     *slog.Logger
	cfg     *config.Config
	catalog *catalog.Catalog

	demo      *sim.Server
	services  *services
	member    *cluster.Member // nil on a single node
	bus       *events.Bus
	shared    *statusShare // nil on a single node
	spans     *spanShare   // nil on a single node
	engine    *webrtc.Engine
	recording *recording
	ingest    *ingest
	feed      atomic.Pointer[feed] // set once the sources exist; hubs ask it from the start
	relay     *relay.Server
	clips     *clips.Service
	alarms    *alarmService
	onvif     *onvifCameras   // the cameras given by their ONVIF device
	ptz       *ptz.Controller // their domes' control
	api       *api.Server
	console   *console
	http      *http.Server
	listener  net.Listener
	tls       bool
	// httpRefused counts connections refused by the limits (httplimits.go).
	httpRefused *prometheus.CounterVec
	served      chan struct{}
	serveErr    error // why the HTTP server stopped on its own; read after served closes (wait.go)

	drainDelay time.Duration

	hubOf        func(path string) *hub.Hub // makes a stream's hub (build.go)
	reload       reloadState                // reload.go
	alarmActions *alarmActions              // webhooks and rules (alarmactions.go)
}

// New starts a gateway: everything runs when it returns. On error,
// whatever was started is stopped again.
func New(ctx context.Context, opts Options) (g *Gateway, err error) {
	g = &Gateway{log: opts.Logger, served: make(chan struct{}), drainDelay: opts.DrainDelay}
	if g.log == nil {
		g.log = slog.Default()
	}
	started := g // "return nil, err" clears g before this runs
	defer func() {
		if err != nil {
			started.Close()
			g = nil
		}
	}()
	if err := g.loadConfig(opts); err != nil {
		return nil, err
	}
	g.hubOf = demandHubs(func(path string) {
		if f := started.feed.Load(); f != nil { // started: g is nil after a failed New
			f.demand(path)
		}
	})
	g.catalog = buildCatalog(g.cfg, g.log, g.hubOf)
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if g.services, err = openServices(ctx, g.cfg.Cluster, opts.DataDir, opts.AdminPassword, g.log); err != nil {
		return nil, err
	}
	if g.engine, err = webrtc.NewEngine(webrtc.EngineOptions{
		UDPAddr: opts.WebRTCUDPAddr, TCPAddr: opts.WebRTCTCPAddr,
		PublicIPs: g.cfg.WebRTC.PublicIPs, Logger: g.log,
	}); err != nil {
		return nil, err
	}
	if g.recording, err = startRecording(g.cfg, g.catalog, opts.DataDir, g.demo != nil, evidenceLocks(g.services.store), g.log); err != nil {
		return nil, err
	}
	transports := transportsOf(g.cfg)
	if g.ingest, err = newIngest(g.onvifSpecs(specsOf(g.catalog, func(id string) string { return transports[id] }), opts), g.log); err != nil {
		return nil, err
	}
	if err := g.runCameras(ctx, opts); err != nil {
		return nil, err
	}
	if err := g.startPlatform(ctx, opts); err != nil {
		return nil, err
	}
	if err := g.serveHTTP(opts); err != nil {
		return nil, err
	}
	g.shared = startStatusShare(g, time.Second)
	g.spans = startSpanShare(g, 10*time.Second)
	g.followEvents()
	resumeWallTours(ctx, g, g.console) // after followEvents, which sets the walls' OnPut
	g.auditStart(opts)
	return g, nil
}

// onvifSpecs makes the ONVIF cameras' streams ask their device, and the
// PTZ control of their domes.
func (g *Gateway) onvifSpecs(specs []streamSpec, opts Options) []streamSpec {
	g.onvif = newONVIFCameras(g.cfg, opts.ONVIFTimeout)
	resolveONVIF(specs, g.onvif)
	g.ptz = ptz.New(ptz.Options{Devices: g.onvif, Audit: g.services.audit, AutoStop: opts.PTZAutoStop, Logger: g.log})
	return specs
}

func (g *Gateway) loadConfig(opts Options) error {
	if opts.ConfigPath != "" {
		cfg, err := config.Load(opts.ConfigPath)
		if err != nil {
			return err
		}
		g.cfg = cfg
		return nil
	}
	g.cfg = config.Demo()
	demo, err := startDemoCameras(g.cfg, g.log)
	if err != nil {
		return err
	}
	g.demo = demo
	g.log.Info("demo mode: simulated cameras for five stations", "rtsp", demo.Addr(), "cameras", len(demo.Cameras()))
	return nil
}

func transportsOf(cfg *config.Config) map[string]string {
	m := make(map[string]string)
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			m[c.ID] = c.Transport
		}
	}
	return m
}

func (g *Gateway) serveHTTP(opts Options) error {
	ln, err := listen(opts, g.limitConns)
	if err != nil {
		return err
	}
	g.listener, g.tls = ln, opts.TLSCertFile != ""
	var clusterView api.ClusterView
	if g.member != nil {
		clusterView = g.member
	}
	g.api = api.New(api.Options{
		Users:   g.services.auth,
		Catalog: g.catalog,
		WebRTC:  g.engine,
		Logger:  g.log,
		UI:      webui.Handler(opts.WebUIDir),
		Metrics: promhttp.HandlerFor(newRegistry(g.catalog, g.ingest.counters, newRecordingCollector(g.recording),
			g.httpRefused, newAuditCollector(g.services.audit.Stats), g.alarms.engine.Metrics(), g.alarmActions.hooks,
			newOperatorCollector(g.usage())),
			promhttp.HandlerOpts{}),

		SecureCookies:  g.tls,
		Accounts:       revocations{Service: g.services.auth, revoked: g.onRevoked},
		Audit:          g.services.audit,
		AuditLog:       g.services.store,
		Recheck:        consoleRecheck,
		Console:        g.console.server,
		Walls:          g.console.walls,
		WallTours:      g.console.wallTours,
		Layouts:        g.services.store,
		Tours:          g.services.store,
		Clips:          g.clips,
		Recorders:      g.recording,
		Recordings:     newRecordings(g),
		Cluster:        clusterView,
		Ready:          g.ready,
		NodeSecret:     g.nodeSecret(),
		NodeRecordings: g.recording.index,
		Alarms:         g.alarms.engine,

		OnAuthenticated:    markAuthenticated,
		MaxWHEPPerUser:     g.cfg.HTTP.MaxWHEPPerUser,
		MaxConsolesPerUser: g.cfg.HTTP.MaxConsolesPerUser,

		Bookmarks:   g.services.store,
		LockedUsage: lockedUsage(g.services.store, g.recording.index),
		Snapshots:   newSnapshots(g.catalog, g.recording.index),
		Webhooks:    g.alarmActions.hooks,
		Reload:      g,
		PTZ:         g.ptz,
		Discover: func(ctx context.Context) ([]onvif.Discovered, error) {
			return onvif.Probe(ctx, onvif.ProbeOptions{Group: opts.DiscoveryGroup, Wait: opts.DiscoveryWait})
		},
	})
	lim := g.cfg.HTTP
	g.http = &http.Server{
		Handler:           limitBodies(g.api, lim.BodyTimeout.Std(), maxRequestBody),
		ReadHeaderTimeout: lim.ReadHeaderTimeout.Std(),
		IdleTimeout:       lim.IdleTimeout.Std(),
		ConnContext:       connContext,
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(g.served)
		if err := g.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			g.log.Error("http server", "err", err)
			g.serveErr = fmt.Errorf("http server: %w", err)
		}
	}()
	g.log.Info("console ready", "url", g.URL())
	return nil
}

// URL is the console's base URL.
func (g *Gateway) URL() string {
	addr := g.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	scheme := "http://"
	if g.tls {
		scheme = "https://"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Catalog returns the stations and cameras (tests, benchmarks).
func (g *Gateway) Catalog() *catalog.Catalog { return g.catalog }

// RelayAddr returns the relay's RTSP address with the port resolved, ""
// when it is off.
func (g *Gateway) RelayAddr() string {
	if g.relay == nil {
		return ""
	}
	return g.relay.Addr()
}

// Demo returns the simulated cameras in demo mode, or nil.
func (g *Gateway) Demo() *sim.Server { return g.demo }

// Close stops everything, outputs first so that no viewer waits on a
// source that is already gone.
func (g *Gateway) Close() error {
	if f := g.feed.Load(); f != nil {
		f.close() // stop pulling before handing over: no relay of what we give away
	}
	if g.member != nil {
		g.member.Close() // hand the cameras to the next node at once
	}
	if g.bus != nil {
		g.bus.Close() // no other node's event reaches a closing console
	}
	g.shared.close()
	g.spans.close()
	g.alarms.close() // before the console and the store it reports to
	if g.ptz != nil {
		g.ptz.Close() // end the PTZ sessions (audited), stop the domes still moving
	}
	if g.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = g.http.Shutdown(ctx)
		cancel()
		<-g.served
	}
	if g.api != nil {
		g.api.Close()
	}
	g.alarmActions.close() // before the clips and walls its rules use
	if g.clips != nil {
		g.clips.Close()
	}
	if g.console != nil {
		g.console.close()
	}
	if g.relay != nil {
		g.relay.Close()
	}
	if g.recording != nil {
		g.recording.close() // recorders flush their open segments
	}
	if g.catalog != nil {
		g.catalog.Close() // transcoders, once no viewer is left
	}
	if g.engine != nil {
		g.engine.Close()
	}
	if g.demo != nil {
		g.demo.Close()
	}

	if g.services != nil {
		g.services.close()
	}
	return nil
}
