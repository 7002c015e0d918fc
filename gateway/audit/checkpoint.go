package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"vigil/gateway/store"
)

// CheckpointFile is the name of the checkpoint file in the data directory:
// one signed chain head a line, outside the database.
const CheckpointFile = "audit-checkpoints.log"

// CheckpointStore is the store side of checkpoints; *store.Store
// implements it.
type CheckpointStore interface {
	AuditHead(ctx context.Context) (int64, string, error)
	AddAuditCheckpoint(ctx context.Context, cp store.AuditCheckpoint) error
}

// Signer signs a checkpoint message; *evidence.Key implements it.
type Signer interface {
	Public() ed25519.PublicKey
	SignMessage(msg []byte) []byte
}

// CheckpointOptions configure a Checkpointer; Store, Signer and File are
// required.
type CheckpointOptions struct {
	Store    CheckpointStore
	Signer   Signer
	File     string        // typically data/audit-checkpoints.log
	Every    int           // entries between checkpoints; default 100
	Interval time.Duration // a checkpoint at least this often while entries arrive; default 1 min
}

// Checkpointer signs the chain head every Every entries or Interval, into
// the store, the file and the log. It is driven by the Log's writer
// goroutine only, so it has no lock.
type Checkpointer struct {
	opts  CheckpointOptions
	since int // entries appended since the last checkpoint
	last  time.Time
}

// NewCheckpointer returns a Checkpointer for a Log's Options.
func NewCheckpointer(opts CheckpointOptions) *Checkpointer {
	if opts.Every <= 0 {
		opts.Every = 100
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	return &Checkpointer{opts: opts, last: time.Now()}
}

func (c *Checkpointer) appended(log *slog.Logger) {
	if c == nil {
		return
	}
	c.since++
	if c.since >= c.opts.Every {
		c.write(log)
	}
}

func (c *Checkpointer) tick(log *slog.Logger) {
	if c != nil && c.since > 0 && time.Since(c.last) >= c.opts.Interval {
		c.write(log)
	}
}

// final anchors what was appended since the last checkpoint, at Close.
func (c *Checkpointer) final(log *slog.Logger) {
	if c != nil && c.since > 0 {
		c.write(log)
	}
}

// write signs the current head and keeps it in all three places; a place
// that fails is logged, the others still get it.
func (c *Checkpointer) write(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	seq, hash, err := c.opts.Store.AuditHead(ctx)
	if err != nil {
		log.Warn("audit checkpoint: cannot read the chain head", "err", err)
		return
	}
	c.since, c.last = 0, time.Now()
	cp := SignCheckpoint(c.opts.Signer, seq, hash, c.last)
	log.Info("audit checkpoint", "seq", cp.Seq, "hash", cp.Hash, "time", cp.Time.UnixMilli(), "key", cp.Key, "sig", cp.Sig)
	if err := c.opts.Store.AddAuditCheckpoint(ctx, cp); err != nil {
		log.Warn("audit checkpoint: not stored in the database", "seq", seq, "err", err)
	}
	if err := appendCheckpoint(c.opts.File, cp); err != nil {
		log.Error("audit checkpoint: not written to the file", "file", c.opts.File, "seq", seq, "err", err)
	}
}

// checkpointMessage is what a checkpoint signs; the prefix keeps it apart
// from anything else the key signs.
func checkpointMessage(seq int64, hash string, t time.Time) []byte {
	return fmt.Appendf(nil, "vigil audit checkpoint v1\nseq %d\nhash %s\ntime %d\n", seq, hash, t.UnixMilli())
}

// SignCheckpoint signs the head (seq, hash) at time t.
func SignCheckpoint(s Signer, seq int64, hash string, t time.Time) store.AuditCheckpoint {
	t = time.UnixMilli(t.UnixMilli()).UTC()
	return store.AuditCheckpoint{Seq: seq, Hash: hash, Time: t, Key: KeyHex(s.Public()),
		Sig: base64.StdEncoding.EncodeToString(s.SignMessage(checkpointMessage(seq, hash, t)))}
}

// ErrBadCheckpoint is returned for a checkpoint whose signature does not
// verify, or that is signed by another key than the trusted one.
var ErrBadCheckpoint = errors.New("audit checkpoint signature invalid")

// VerifyCheckpoint checks cp's signature with trusted, or with the key cp
// names when trusted is nil (the caller then shows that key's fingerprint).
func VerifyCheckpoint(cp store.AuditCheckpoint, trusted ed25519.PublicKey) error {
	pub, err := PublicKey(cp.Key)
	if err != nil {
		return fmt.Errorf("%w: seq %d: bad key", ErrBadCheckpoint, cp.Seq)
	}
	if trusted != nil && !bytes.Equal(pub, trusted) {
		return fmt.Errorf("%w: seq %d: signed by another key than this node's", ErrBadCheckpoint, cp.Seq)
	}
	sig, err := base64.StdEncoding.DecodeString(cp.Sig)
	if err != nil || !ed25519.Verify(pub, checkpointMessage(cp.Seq, cp.Hash, cp.Time), sig) {
		return fmt.Errorf("%w: seq %d", ErrBadCheckpoint, cp.Seq)
	}
	return nil
}

// checkpointLine is a checkpoint in the file: JSON, one a line.
type checkpointLine struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	Time int64  `json:"time"`
	Key  string `json:"key"`
	Sig  string `json:"sig"`
}

func appendCheckpoint(path string, cp store.AuditCheckpoint) error {
	line, err := json.Marshal(checkpointLine{cp.Seq, cp.Hash, cp.Time.UnixMilli(), cp.Key, cp.Sig})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ParseCheckpoint reads one line of a checkpoint file.
func ParseCheckpoint(line []byte) (store.AuditCheckpoint, error) {
	var l checkpointLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return store.AuditCheckpoint{}, fmt.Errorf("not a checkpoint: %w", err)
	}
	if dec.More() {
		return store.AuditCheckpoint{}, errors.New("not a checkpoint: trailing data")
	}
	if l.Seq < 0 || len(l.Hash) != 64 || l.Key == "" || l.Sig == "" {
		return store.AuditCheckpoint{}, errors.New("not a checkpoint: seq, hash, key or sig missing")
	}
	return store.AuditCheckpoint{Seq: l.Seq, Hash: l.Hash, Time: time.UnixMilli(l.Time).UTC(), Key: l.Key, Sig: l.Sig}, nil
}

// ReadCheckpoints returns every checkpoint of the file at path, in file
// order. A line that is not a checkpoint is an error naming its number:
// the file is append-only, so damage there is tampering or a torn write
// the operator must look at.
func ReadCheckpoints(path string) ([]store.AuditCheckpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cps []store.AuditCheckpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		cp, err := ParseCheckpoint(sc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		cps = append(cps, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cps, nil
}

// KeyHex is how checkpoints name their signer's public key.
func KeyHex(pub ed25519.PublicKey) string {
	if pub == nil {
		return ""
	}
	return hex.EncodeToString(pub)
}

// PublicKey decodes a checkpoint's signer key.
func PublicKey(key string) (ed25519.PublicKey, error) {
	pub, err := hex.DecodeString(key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("bad key")
	}
	return pub, nil
}
