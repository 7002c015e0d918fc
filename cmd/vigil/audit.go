package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"vigil/gateway/config"
	"vigil/gateway/store"
)

// runAudit is `vigil audit verify [-data DIR | -config FILE | -store URL]`:
// it walks the audit log's hash chain and prints "intact (N entries)", or
// fails naming the first entry that does not verify. A cluster's chain is
// read from its shared PostgreSQL database.
func runAudit(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: vigil audit verify [-data DIR | -config FILE | -store URL]")
	}
	fs := flag.NewFlagSet("vigil audit verify", flag.ContinueOnError)
	dataDir := fs.String("data", "./data", "database and recordings directory (single node)")
	configPath := fs.String("config", "", "config file: a cluster's shared store is read from its cluster section")
	storeURL := fs.String("store", "", "postgres:// URL of a cluster's shared store")
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
	n, err := st.VerifyAuditCount(context.Background())
	var broken *store.AuditBrokenError
	if errors.As(err, &broken) {
		return fmt.Errorf("audit log BROKEN at seq %d: %s (%d entries before it verify)", broken.Seq, broken.Reason, n)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "intact (%d entries)\n", n)
	return nil
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
