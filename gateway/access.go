package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"vigil/gateway/api"
	"vigil/gateway/audit"
)

// listen opens the console's listener: TLS when a certificate is given.
func listen(opts Options, limit func(net.Listener) net.Listener) (net.Listener, error) {
	if (opts.TLSCertFile == "") != (opts.TLSKeyFile == "") {
		return nil, errors.New("tls: give both -tls-cert and -tls-key, or neither")
	}
	var cfg *tls.Config
	if opts.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(opts.TLSCertFile, opts.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", opts.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	ln = limit(ln) // beneath TLS: a handshake holds a file handle too
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	return ln, nil
}

// auditStart records the configuration the gateway started with: which
// file (or the demo), how many stations and cameras. Never camera URLs.
func (g *Gateway) auditStart(opts Options) {
	source := opts.ConfigPath
	if source == "" {
		source = "demo"
	}
	g.services.audit.Record(context.Background(), audit.Entry{Action: audit.ActionConfigLoad, Detail: map[string]any{
		"config": source, "stations": len(g.catalog.Stations()), "cameras": len(g.catalog.Cameras()), "tls": g.tls,
	}})
}

// Audit returns the gateway's audit recorder, for the parts wired in later
// (clip export, walls) and tests.
func (g *Gateway) Audit() *audit.Log { return g.services.audit }

// Routes returns the API's routes (the authorization test walks them).
func (g *Gateway) Routes() []api.Route { return g.api.Routes() }
