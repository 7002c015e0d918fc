package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/config"
	"vigil/gateway/store"
)

// services are the control plane's stateful parts: the database and the
// auth service over it.
type services struct {
	store *store.Store
	auth  *auth.Service
	audit *audit.Log
}

func openServices(ctx context.Context, cc config.Cluster, dbPath, adminPassword string, log *slog.Logger) (*services, error) {
	st, err := openStore(ctx, cc, dbPath, log)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := auth.Bootstrap(ctx, st, adminPassword, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("bootstrap admin: %w", err)
	}
	return &services{store: st, auth: auth.New(auth.Options{Store: st, Log: log}),
		audit: audit.New(audit.Options{Store: st, Logger: log})}, nil
}

// openStore opens the cluster's shared PostgreSQL database, or the node's
// own SQLite file when there is no cluster.
func openStore(ctx context.Context, cc config.Cluster, dbPath string, log *slog.Logger) (*store.Store, error) {
	if !cc.Enabled() {
		return store.Open(dbPath)
	}
	url, err := cc.StoreURL()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := store.OpenPostgres(ctx, url)
	if err != nil {
		return nil, err
	}
	log.Info("database: shared PostgreSQL", "url", store.RedactDSN(url))
	return st, nil
}

func (s *services) close() {
	s.audit.Close() // writes what is queued while the database is open
	if err := s.store.Close(); err != nil {
		slog.Default().Warn("close database", "err", err)
	}
}
