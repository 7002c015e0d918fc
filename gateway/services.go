package gateway

import (
	"context"
	"fmt"
	"log/slog"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// services are the control plane's stateful parts: the database and the
// auth service over it.
type services struct {
	store *store.Store
	auth  *auth.Service
	audit *audit.Log
}

func openServices(ctx context.Context, dbPath, adminPassword string, log *slog.Logger) (*services, error) {
	st, err := store.Open(dbPath)
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

func (s *services) close() {
	s.audit.Close() // writes what is queued while the database is open
	if err := s.store.Close(); err != nil {
		slog.Default().Warn("close database", "err", err)
	}
}
