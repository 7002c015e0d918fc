package config

import "time"

// HTTP bounds what clients of the HTTP server (console, API, WHEP) can
// hold: how long a request may take to arrive, how many connections an
// address may open before it authenticates, how many in all, and how many
// live views a user may keep. The defaults suit a 24/7 gateway with a few
// hundred viewers; the limits exist so that no client, authenticated or
// not, can take the file handles the cameras and recordings need.
type HTTP struct {
	// ReadHeaderTimeout: a request's header must arrive within it.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// BodyTimeout: a request's body must arrive within it. Requests
	// without a body (WebSocket upgrades, downloads) are not affected.
	BodyTimeout Duration `yaml:"body_timeout"`
	// IdleTimeout closes a keep-alive connection that sends no request.
	IdleTimeout Duration `yaml:"idle_timeout"`
	// MaxConnections caps open HTTP connections; 0 = the process's
	// open-file limit less FDReserve.
	MaxConnections int `yaml:"max_connections"`
	// FDReserve are file handles never given to HTTP connections: kept for
	// cameras, recordings, transcoders and the database.
	FDReserve int `yaml:"fd_reserve"`
	// MaxConnectionsPerIP caps the connections one address holds open
	// before any of their requests authenticates.
	MaxConnectionsPerIP int `yaml:"max_connections_per_ip"`
	// MaxWHEPPerUser and MaxConsolesPerUser cap one user's live WHEP
	// sessions and console WebSockets (429 beyond).
	MaxWHEPPerUser     int `yaml:"max_whep_per_user"`
	MaxConsolesPerUser int `yaml:"max_consoles_per_user"`
}

// HTTP defaults.
const (
	DefaultReadHeaderTimeout   = Duration(10 * time.Second)
	DefaultBodyTimeout         = Duration(30 * time.Second)
	DefaultIdleTimeout         = Duration(2 * time.Minute)
	DefaultFDReserve           = 1024
	DefaultMaxConnectionsPerIP = 256
	DefaultMaxWHEPPerUser      = 32
	DefaultMaxConsolesPerUser  = 8
)

func defaultHTTP() HTTP {
	return HTTP{
		ReadHeaderTimeout: DefaultReadHeaderTimeout, BodyTimeout: DefaultBodyTimeout, IdleTimeout: DefaultIdleTimeout,
		FDReserve: DefaultFDReserve, MaxConnectionsPerIP: DefaultMaxConnectionsPerIP,
		MaxWHEPPerUser: DefaultMaxWHEPPerUser, MaxConsolesPerUser: DefaultMaxConsolesPerUser,
	}
}

func (k *checker) http(h HTTP) {
	for _, d := range []struct {
		key string
		v   Duration
	}{{"read_header_timeout", h.ReadHeaderTimeout}, {"body_timeout", h.BodyTimeout}, {"idle_timeout", h.IdleTimeout}} {
		if d.v <= 0 {
			k.add("http."+d.key, d.v.String(), "must be positive")
		}
	}
	if h.MaxConnections < 0 {
		k.add("http.max_connections", "", "must not be negative (0: the open-file limit less fd_reserve)")
	}
	if h.FDReserve < 0 {
		k.add("http.fd_reserve", "", "must not be negative")
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"max_connections_per_ip", h.MaxConnectionsPerIP}, {"max_whep_per_user", h.MaxWHEPPerUser},
		{"max_consoles_per_user", h.MaxConsolesPerUser}} {
		if n.v < 1 {
			k.add("http."+n.key, "", "must be at least 1")
		}
	}
}
