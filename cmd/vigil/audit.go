package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vigil/gateway/config"
	"vigil/gateway/store"
)

const auditUsage = "usage: vigil audit verify [-data DIR | -config FILE | -store URL] [-checkpoints FILE]"

// runAudit is `vigil audit verify`: it walks the audit log's hash chain,
// checks it against the signed checkpoints (the file outside the database
// and the newest in the store) and the loss markers, and prints
// "intact (N entries)" with what anchored it, or fails naming the first
// thing that does not hold. A cluster's chain is read from its shared
// PostgreSQL database.
func runAudit(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New(auditUsage)
	}
	fs := flag.NewFlagSet("vigil audit verify", flag.ContinueOnError)
	dataDir := fs.String("data", "./data", "data directory: database (single node), evidence key, checkpoint file")
	configPath := fs.String("config", "", "config file: a cluster's shared store is read from its cluster section")
	storeURL := fs.String("store", "", "postgres:// URL of a cluster's shared store")
	cpFile := fs.String("checkpoints", "", "signed checkpoint file (default DATA/audit-checkpoints.log when present)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	st, err := openAuditStore(*dataDir, *configPath, *storeURL)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	n, err := st.VerifyAuditCount(ctx)
	var broken *store.AuditBrokenError
	if errors.As(err, &broken) {
		return fmt.Errorf("audit log BROKEN at seq %d: %s (%d entries before it verify)", broken.Seq, broken.Reason, n)
	}
	if err != nil {
		return err
	}
	anchored, err := checkAnchors(ctx, st, *dataDir, *cpFile)
	if err != nil {
		return err
	}
	if err := checkLosses(ctx, st, n); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "intact (%d entries)\n%s\n", n, anchored)
	return nil
}

// checkLosses fails when the chain holds loss markers: entries the gateway
// could store nowhere. The chain itself is sound, but not complete.
func checkLosses(ctx context.Context, st *store.Store, n int64) error {
	losses, err := st.AuditLosses(ctx)
	if err != nil || len(losses) == 0 {
		return err
	}
	var total int64
	var at []string
	for _, l := range losses {
		total += l.Count
		at = append(at, fmt.Sprintf("%d before seq %d (%s)", l.Count, l.Seq, l.Time.Format(time.RFC3339)))
	}
	return fmt.Errorf("audit log INCOMPLETE: %d entries lost: %s (the %d entries present verify)",
		total, strings.Join(at, ", "), n)
}

// openAuditStore opens the store holding the chain, never creating one.
func openAuditStore(dataDir, configPath, storeURL string) (*store.Store, error) {
	if storeURL == "" && configPath != "" {
		cfg, err := config.Load(configPath)
		if err != nil {
			return nil, err
		}
		if cfg.Cluster.Enabled() {
			if storeURL, err = cfg.Cluster.StoreURL(); err != nil {
				return nil, err
			}
		}
	}
	if storeURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return store.OpenPostgres(ctx, storeURL)
	}
	path := filepath.Join(dataDir, "vigil.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("audit verify: %w", err) // do not create an empty database
	}
	return store.Open(path)
}
