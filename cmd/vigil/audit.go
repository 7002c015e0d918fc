package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vigil/gateway/store"
)

// runAudit is `vigil audit verify [-data DIR]`: it walks the audit log's
// hash chain and prints "intact (N entries)", or fails naming the first
// entry that does not verify.
func runAudit(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: vigil audit verify [-data DIR]")
	}
	fs := flag.NewFlagSet("vigil audit verify", flag.ContinueOnError)
	dataDir := fs.String("data", "./data", "database and recordings directory")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	path := filepath.Join(*dataDir, "vigil.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("audit verify: %w", err) // do not create an empty database
	}
	st, err := store.Open(path)
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
