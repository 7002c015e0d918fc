package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"vigil/gateway/store"
)

// The spool is the audit log's durable overflow: when the database is slow,
// full or unreachable, entries are appended to spoolFile (one JSON object a
// line, fsync'd before Record returns or the writer moves on) and replayed
// into the chain in order once the database takes writes again. posFile
// holds how many bytes of spoolFile are already in the chain, so a restart
// replays only the rest. A crash between an append to the chain and the
// position update replays that one entry twice: a duplicate is visible, a
// gap is not.
const (
	spoolFile = "spool.jsonl"
	posFile   = "spool.pos"
)

// posSyncEvery is how many replayed entries may pass between fsyncs of the
// replay position.
const posSyncEvery = 64

// maxSpoolLine bounds one spooled entry; longer lines are damage.
const maxSpoolLine = 1 << 20

type spool struct {
	dir string

	mu    sync.Mutex // guards the files and depth against appends during a replay
	f     *os.File   // the spool file, open for appends once one happened
	depth int64      // entries in the spool not yet in the chain
}

// spoolLine is the spooled form of an entry. Detail stays raw JSON: it is
// what the chain will hash.
type spoolLine struct {
	Time   int64           `json:"t"`
	User   string          `json:"u,omitempty"`
	Action string          `json:"a"`
	Camera string          `json:"c,omitempty"`
	Detail json.RawMessage `json:"d,omitempty"`
}

// openSpool counts what an earlier run left in dir. A missing directory
// is an empty spool: it is created at the first append.
func openSpool(dir string) (*spool, error) {
	s := &spool{dir: dir}
	err := s.each(func([]byte, int64) error { s.depth++; return nil })
	return s, err
}

// append writes e durably at the end of the spool.
func (s *spool) append(e store.AuditEntry) error {
	line, err := json.Marshal(spoolLine{Time: e.Time.UnixMilli(), User: e.User, Action: e.Action, Camera: e.Camera, Detail: e.Detail})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("audit spool: %w", err)
		}
		f, err := os.OpenFile(filepath.Join(s.dir, spoolFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("audit spool: %w", err)
		}
		s.f = f
	}
	_, err = s.f.Write(append(line, '\n'))
	if err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		// A partial line is cut off at replay and counted as lost there;
		// the file is reopened at the next append.
		s.f.Close()
		s.f = nil
		return fmt.Errorf("audit spool: %w", err)
	}
	s.depth++
	return nil
}

// close releases the open spool file.
func (s *spool) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// Depth returns the entries waiting in the spool.
func (s *spool) Depth() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.depth
}

// unreplayed opens the spool file and returns its size and the replay
// position, read under mu so that no append is half seen. f is nil when
// there is no spool file.
func (s *spool) unreplayed() (f *os.File, size, pos int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err = os.Open(filepath.Join(s.dir, spoolFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, 0, nil
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("audit spool: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, 0, fmt.Errorf("audit spool: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, posFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		f.Close()
		return nil, 0, 0, fmt.Errorf("audit spool: %w", err)
	}
	if len(b) > 0 {
		pos, err = strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
		if err != nil || pos < 0 || pos > st.Size() {
			// A damaged position replays the spool from its start:
			// duplicates in the chain show, a stalled spool would not.
			pos = 0
		}
	}
	return f, st.Size(), pos, nil
}

// each streams the unreplayed lines (without their newline) to fn with the
// offset after each; a last line without newline (a torn write) is passed
// whole so that it is reported rather than replayed forever. It stops at
// fn's first error.
func (s *spool) each(fn func(line []byte, next int64) error) error {
	f, size, pos, err := s.unreplayed()
	if f == nil || err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(io.NewSectionReader(f, pos, size-pos))
	for pos < size {
		line, err := r.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("audit spool: %w", err)
		}
		pos += int64(len(line))
		if err := fn(bytes.TrimSuffix(line, []byte("\n")), pos); err != nil {
			return err
		}
	}
	return nil
}

// replay hands the spooled entries, oldest first, to write until it fails,
// recording progress after each. Lines that cannot be read are passed to
// lost. When everything is replayed the spool is emptied. It returns the
// first write error.
func (s *spool) replay(write func(store.AuditEntry) error, lost func(n int64, err error)) error {
	pf, err := os.OpenFile(filepath.Join(s.dir, posFile), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	defer pf.Close()
	n, end := 0, int64(-1)
	err = s.each(func(line []byte, next int64) error {
		if e, perr := parseSpoolLine(line); perr != nil {
			lost(1, fmt.Errorf("spool line ending at byte %d: %w", next, perr))
		} else if err := write(e); err != nil {
			return err
		}
		n++
		end = next
		return s.advance(pf, next, n%posSyncEvery == 0)
	})
	if serr := pf.Sync(); err == nil && serr != nil {
		err = fmt.Errorf("audit spool: %w", serr)
	}
	if err != nil || end < 0 {
		return err
	}
	return s.emptyIfDone(end)
}

// advance records that the spool is in the chain up to pos. The position
// is written after every entry, so a crash of the process replays nothing
// twice; it is fsync'd every posSyncEvery entries, so only a power loss
// may replay (never skip) up to that many again.
func (s *spool) advance(pf *os.File, pos int64, sync bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := pf.WriteAt(fmt.Appendf(nil, "%020d\n", pos), 0)
	if err == nil && sync {
		err = pf.Sync()
	}
	if err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	if s.depth > 0 {
		s.depth--
	}
	return nil
}

// emptyIfDone truncates the spool when nothing was appended since the
// replay read it.
func (s *spool) emptyIfDone(pos int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := os.Stat(filepath.Join(s.dir, spoolFile))
	if err != nil || st.Size() != pos {
		return nil // more arrived: the next replay takes it
	}
	if err := os.Truncate(filepath.Join(s.dir, spoolFile), 0); err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	s.depth = 0
	return writeSynced(filepath.Join(s.dir, posFile), []byte("0"))
}

// writeSynced replaces path's content durably (temporary file, fsync,
// rename).
func writeSynced(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// parseSpoolLine reads one spooled entry.
func parseSpoolLine(line []byte) (store.AuditEntry, error) {
	if len(line) > maxSpoolLine {
		return store.AuditEntry{}, errors.New("line too long")
	}
	var l spoolLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return store.AuditEntry{}, fmt.Errorf("not a spooled entry: %w", err)
	}
	if dec.More() {
		return store.AuditEntry{}, errors.New("not a spooled entry: trailing data")
	}
	if l.Action == "" || l.Time <= 0 {
		return store.AuditEntry{}, errors.New("spooled entry without action or time")
	}
	return store.AuditEntry{Time: time.UnixMilli(l.Time).UTC(), User: storable(l.User), Action: storable(l.Action),
		Camera: storable(l.Camera), Detail: l.Detail}, nil
}
