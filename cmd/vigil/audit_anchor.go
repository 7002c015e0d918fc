package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/store"
	"vigil/streams/evidence"
)

// checkAnchors checks the chain against every signed checkpoint of the
// checkpoint file and the newest one in the store. Signatures are checked
// against the data directory's evidence key when there is one, else
// against the key each checkpoint names (whose fingerprint is printed,
// for the operator to compare). It returns the line that says what
// anchored the chain.
func checkAnchors(ctx context.Context, st *store.Store, dataDir, cpFile string) (string, error) {
	trusted, err := trustedKey(dataDir)
	if err != nil {
		return "", err
	}
	keyNote := ""
	if trusted != nil {
		keyNote = "evidence key " + evidence.Fingerprint(trusted)
	}
	cps, err := fileCheckpoints(dataDir, cpFile)
	if err != nil {
		return "", err
	}
	if cp, err := st.LatestAuditCheckpoint(ctx, audit.KeyHex(trusted)); err == nil {
		cps = append(cps, cp)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if len(cps) == 0 {
		return "no signed checkpoint found: entries removed from the end would not show", nil
	}
	newest := cps[0]
	for _, cp := range cps {
		if err := audit.VerifyCheckpoint(cp, trusted); err != nil {
			return "", fmt.Errorf("audit log BROKEN: %w (checkpoint forged or altered)", err)
		}
		var broken *store.AuditBrokenError
		if err := st.CheckAuditAnchor(ctx, cp); errors.As(err, &broken) {
			return "", fmt.Errorf("audit log BROKEN at seq %d: %s", broken.Seq, broken.Reason)
		} else if err != nil {
			return "", err
		}
		if cp.Seq > newest.Seq {
			newest = cp
		}
	}
	if keyNote == "" {
		pub, _ := audit.PublicKey(newest.Key)
		keyNote = "key in the checkpoint, fingerprint " + evidence.Fingerprint(pub) + ": compare it with the gateway's"
	}
	return fmt.Sprintf("anchored: %d signed checkpoints hold, newest seq %d of %s (%s)",
		len(cps), newest.Seq, newest.Time.Format(time.RFC3339), keyNote), nil
}

// fileCheckpoints reads -checkpoints, or the data directory's file when it
// exists.
func fileCheckpoints(dataDir, cpFile string) ([]store.AuditCheckpoint, error) {
	if cpFile == "" {
		cpFile = filepath.Join(dataDir, audit.CheckpointFile)
		if _, err := os.Stat(cpFile); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	cps, err := audit.ReadCheckpoints(cpFile)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	return cps, nil
}
