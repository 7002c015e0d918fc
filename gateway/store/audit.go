package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrAuditBroken is returned by VerifyAudit when the chain does not hold.
var ErrAuditBroken = errors.New("audit chain broken")

// genesisHash is the prev_hash of the first audit entry.
var genesisHash = strings.Repeat("0", 64)

// AuditEntry is one line of the append-only audit log. Each entry's Hash is
// SHA-256(PrevHash || canonical row), so editing or removing an entry breaks
// every hash after it.
type AuditEntry struct {
	Seq      int64
	Time     time.Time
	User     string
	Action   string // e.g. login, logout, view, export, layout.save, wall.set
	Camera   string // "" when not about one camera
	Detail   json.RawMessage
	PrevHash string
	Hash     string
}

// AppendAudit adds e to the log and returns it with Seq, Time (when zero),
// PrevHash and Hash filled in. Detail must be JSON (or empty); it is stored
// compacted, which is the form the hash covers.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	detail, err := canonicalDetail(e.Detail)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit %s: detail: %w", e.Action, err)
	}
	e.Detail = detail
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = fromMillis(toMillis(e.Time)) // the stored precision, which the hash covers

	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	err = s.inTx(ctx, func(tx tx) error {
		if err := s.d.lockAudit(ctx, tx.Tx); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		e.Seq, e.PrevHash = 1, genesisHash
		var last int64
		var lastHash string
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &lastHash)
		switch {
		case err == nil:
			e.Seq, e.PrevHash = last+1, lastHash
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		e.Hash = auditHash(e)
		_, err = tx.ExecContext(ctx,
			`INSERT INTO audit (seq, time, "user", action, camera, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, toMillis(e.Time), e.User, e.Action, e.Camera, string(e.Detail), e.PrevHash, e.Hash)
		return err
	})
	if err != nil {
		return AuditEntry{}, fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return e, nil
}

func canonicalDetail(d json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(d)) == 0 {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AuditHash returns the hash e's row must carry (tools and tests that
// rebuild a chain use it).
func AuditHash(e AuditEntry) string { return auditHash(e) }

// auditHash is SHA-256(prev_hash || canonical row), the row being a JSON
// array of its fields: unambiguous, and reproducible by any tool.
func auditHash(e AuditEntry) string {
	row, _ := json.Marshal([]any{e.Seq, toMillis(e.Time), e.User, e.Action, e.Camera, string(e.Detail)})
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(row)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditQuery selects audit entries, newest first.
type AuditQuery struct {
	BeforeSeq int64 // only entries with a smaller seq; 0 = from the newest
	Limit     int   // 0 = 100
	User      string
	Camera    string
	Action    string
	From, To  time.Time // only entries at or after From and before To; zero = open
}

// ListAudit returns entries matching q, newest first.
func (s *Store) ListAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if q.BeforeSeq > 0 {
		add("seq < ?", q.BeforeSeq)
	}
	if q.User != "" {
		add(`"user" = ?`, q.User)
	}
	if q.Camera != "" {
		add("camera = ?", q.Camera)
	}
	if q.Action != "" {
		add("action = ?", q.Action)
	}
	if !q.From.IsZero() {
		add("time >= ?", toMillis(q.From))
	}
	if !q.To.IsZero() {
		add("time < ?", toMillis(q.To))
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	args = append(args, q.Limit)
	return queryAll(ctx, s, "list audit", scanAudit, `SELECT seq, time, "user", action, camera, detail, prev_hash, hash FROM audit WHERE `+
		strings.Join(where, " AND ")+` ORDER BY seq DESC LIMIT ?`, args...)
}

func scanAudit(r scanner) (AuditEntry, error) {
	var e AuditEntry
	var t int64
	var detail string
	if err := r.Scan(&e.Seq, &t, &e.User, &e.Action, &e.Camera, &detail, &e.PrevHash, &e.Hash); err != nil {
		return AuditEntry{}, err
	}
	e.Time, e.Detail = fromMillis(t), json.RawMessage(detail)
	return e, nil
}

// VerifyAudit walks the whole log and checks that seqs are contiguous from
// 1, each prev_hash is the previous hash and each hash matches its row.
// Truncating the newest entries, or recomputing every hash after an edit,
// cannot be seen from inside the chain: CheckAuditAnchor against a signed
// checkpoint shows both.
func (s *Store) VerifyAudit(ctx context.Context) error {
	_, err := s.VerifyAuditCount(ctx)
	return err
}

// AuditBrokenError locates the first entry at which the chain breaks;
// errors.Is(err, ErrAuditBroken) holds.
type AuditBrokenError struct {
	Seq    int64 // the first seq that does not verify
	Reason string
}

func (e *AuditBrokenError) Error() string {
	return fmt.Sprintf("%v: %s", ErrAuditBroken, e.Reason)
}

// Is makes errors.Is(err, ErrAuditBroken) true.
func (e *AuditBrokenError) Is(target error) bool { return target == ErrAuditBroken }

// VerifyAuditCount is VerifyAudit that also returns the number of entries
// verified. A broken chain is an *AuditBrokenError.
func (s *Store) VerifyAuditCount(ctx context.Context) (int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, time, "user", action, camera, detail, prev_hash, hash FROM audit ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	n, wantSeq, wantPrev := int64(0), int64(1), genesisHash
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, fmt.Errorf("verify audit: %w", err)
		}
		switch {
		case e.Seq != wantSeq:
			return n, &AuditBrokenError{Seq: wantSeq, Reason: fmt.Sprintf("expected seq %d, found %d (entries removed)", wantSeq, e.Seq)}
		case e.PrevHash != wantPrev:
			return n, &AuditBrokenError{Seq: e.Seq, Reason: fmt.Sprintf("seq %d: prev_hash does not match seq %d", e.Seq, e.Seq-1)}
		case auditHash(e) != e.Hash:
			return n, &AuditBrokenError{Seq: e.Seq, Reason: fmt.Sprintf("seq %d: hash does not match its content (entry altered)", e.Seq)}
		}
		n, wantSeq, wantPrev = n+1, e.Seq+1, e.Hash
	}
	return n, rows.Err()
}

// AuditHead returns the newest seq and hash (0 and the genesis hash for an
// empty log), for anchoring the chain outside the database.
func (s *Store) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, genesisHash, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	return seq, hash, nil
}
