package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AuditCheckpoint is a signed statement of the chain's head: "at Time the
// entry at Seq had Hash". Kept outside the chain (a table here, a file and
// the log elsewhere), it lets a verifier see entries removed from the end
// and a chain recomputed after an edit, which the chain cannot show alone.
type AuditCheckpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"-"`
	Key  string    `json:"key"` // hex Ed25519 public key of the signer
	Sig  string    `json:"sig"` // base64 signature (audit.SignCheckpoint)
}

// AddAuditCheckpoint stores cp; a second checkpoint of the same seq is
// ignored.
func (s *Store) AddAuditCheckpoint(ctx context.Context, cp AuditCheckpoint) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, time, key, sig) VALUES (?, ?, ?, ?, ?)`,
		cp.Seq, cp.Hash, toMillis(cp.Time), cp.Key, cp.Sig)
	if err != nil && !s.isUniqueViolation(err) {
		return fmt.Errorf("add audit checkpoint: %w", err)
	}
	return nil
}

// LatestAuditCheckpoint returns the checkpoint of the highest seq signed by
// key (hex; "" = any signer); ErrNotFound when there is none.
func (s *Store) LatestAuditCheckpoint(ctx context.Context, key string) (AuditCheckpoint, error) {
	var cp AuditCheckpoint
	var t int64
	q, args := `SELECT seq, hash, time, key, sig FROM audit_checkpoints`, []any{}
	if key != "" {
		q, args = q+` WHERE key = ?`, append(args, key)
	}
	err := s.db.QueryRowContext(ctx, q+` ORDER BY seq DESC LIMIT 1`, args...).Scan(&cp.Seq, &cp.Hash, &t, &cp.Key, &cp.Sig)
	if errors.Is(err, sql.ErrNoRows) {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: %w", ErrNotFound)
	}
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	cp.Time = fromMillis(t)
	return cp, nil
}

// CheckAuditAnchor checks the chain against a checkpoint whose signature
// the caller verified: the chain must reach cp.Seq (else entries were
// removed from its end) and the entry there must still have cp.Hash (else
// the chain was rewritten and its hashes recomputed). A mismatch is an
// *AuditBrokenError.
func (s *Store) CheckAuditAnchor(ctx context.Context, cp AuditCheckpoint) error {
	head, _, err := s.AuditHead(ctx)
	if err != nil {
		return err
	}
	if head < cp.Seq {
		return &AuditBrokenError{Seq: head + 1, Reason: fmt.Sprintf(
			"chain ends at seq %d but a signed checkpoint of %s saw seq %d (entries removed from the end)",
			head, cp.Time.Format(time.RFC3339), cp.Seq)}
	}
	var hash string
	err = s.db.QueryRowContext(ctx, `SELECT hash FROM audit WHERE seq = ?`, cp.Seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return &AuditBrokenError{Seq: cp.Seq, Reason: fmt.Sprintf("seq %d of a signed checkpoint is missing", cp.Seq)}
	}
	if err != nil {
		return fmt.Errorf("audit anchor: %w", err)
	}
	if hash != cp.Hash {
		return &AuditBrokenError{Seq: cp.Seq, Reason: fmt.Sprintf(
			"seq %d hash differs from the signed checkpoint of %s (chain rewritten and recomputed)",
			cp.Seq, cp.Time.Format(time.RFC3339))}
	}
	return nil
}

// AuditLoss is a gap the recorder could not avoid, as its marker entry
// (action "audit.lost") records it.
type AuditLoss struct {
	Seq   int64 // the marker's seq: the loss happened before it
	Time  time.Time
	Count int64
}

// AuditLosses lists the loss markers in the chain, oldest first.
func (s *Store) AuditLosses(ctx context.Context) ([]AuditLoss, error) {
	return queryAll(ctx, s, "audit losses", func(r scanner) (AuditLoss, error) {
		var l AuditLoss
		var t int64
		var detail string
		if err := r.Scan(&l.Seq, &t, &detail); err != nil {
			return l, err
		}
		var d struct{ Count int64 }
		json.Unmarshal([]byte(detail), &d) // a marker without a count still marks a gap
		l.Time, l.Count = fromMillis(t), d.Count
		return l, nil
	}, `SELECT seq, time, detail FROM audit WHERE action = 'audit.lost' ORDER BY seq`)
}
