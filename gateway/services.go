package gateway

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/config"
	"vigil/gateway/store"
	"vigil/streams/evidence"
)

// services are the control plane's stateful parts: the database and the
// auth service over it.
type services struct {
	store *store.Store
	auth  *auth.Service
	audit *audit.Log
}

// auditSpoolDir holds audit entries the database did not take, under the
// data directory.
const auditSpoolDir = "audit-spool"

func openServices(ctx context.Context, cc config.Cluster, dataDir, adminPassword string, log *slog.Logger) (*services, error) {
	st, err := openStore(ctx, cc, dataDir, log)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := auth.Bootstrap(ctx, st, adminPassword, log); err != nil {
		st.Close()
		return nil, fmt.Errorf("bootstrap admin: %w", err)
	}
	// The audit chain's checkpoints are signed with the evidence key (the
	// one clip manifests carry), so one fingerprint vouches for both.
	key, err := evidence.LoadOrCreateKey(dataDir)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	checkpoints := audit.NewCheckpointer(audit.CheckpointOptions{Store: st, Signer: key,
		File: filepath.Join(dataDir, audit.CheckpointFile)})
	al := audit.New(audit.Options{Store: st, Logger: log, SpoolDir: filepath.Join(dataDir, auditSpoolDir),
		Checkpoints: checkpoints})
	return &services{store: st, auth: auth.New(auth.Options{Store: st, Log: log}), audit: al}, nil
}

// openStore opens the cluster's shared PostgreSQL database, or the node's
// own SQLite file when there is no cluster.
func openStore(ctx context.Context, cc config.Cluster, dataDir string, log *slog.Logger) (*store.Store, error) {
	if !cc.Enabled() {
		dbPath := filepath.Join(dataDir, "vigil.db")
		if err := checkDatabaseExpected(dataDir, dbPath); err != nil {
			return nil, err
		}
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

// ErrDatabaseMissing is returned when the data directory shows an earlier
// life (recordings, clips, an evidence key) but its database is missing or
// empty: starting afresh would create a new admin and a new audit chain
// over the old evidence, so the gateway refuses.
var ErrDatabaseMissing = errors.New("data dir has recordings but no database: restore vigil.db from backup, or move the data dir away to start fresh")

// checkDatabaseExpected refuses an empty or missing database file in a data
// directory that already holds what a started gateway leaves.
func checkDatabaseExpected(dataDir, dbPath string) error {
	if st, err := os.Stat(dbPath); err == nil && st.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, name := range []string{"rec", "clips", evidence.KeyFile, audit.CheckpointFile} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err == nil {
			return fmt.Errorf("%w (%s found in %s, %s missing or empty)", ErrDatabaseMissing, name, dataDir, filepath.Base(dbPath))
		}
	}
	return nil
}

func (s *services) close() {
	s.audit.Close() // writes what is queued while the database is open
	if err := s.store.Close(); err != nil {
		slog.Default().Warn("close database", "err", err)
	}
}
