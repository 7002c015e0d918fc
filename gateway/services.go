package gateway

import (
	"context"
	"fmt"
	"log/slog"

	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// services are the control plane's stateful parts: the database and the
// auth service over it.
type services struct {
	store *store.Store
	auth  *auth.Service
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
	return &services{store: st, auth: auth.New(auth.Options{Store: st, Log: log})}, nil
}

func (s *services) close() {
	if err := s.store.Close(); err != nil {
		slog.Default().Warn("close database", "err", err)
	}
}
