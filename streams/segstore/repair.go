package segstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// QuarantineDir is the folder, inside a camera's recording folder, where
// repair keeps damaged segments byte for byte. Nothing there is indexed,
// served or removed by retention.
const QuarantineDir = "quarantine"

// Outcome is what Repair did to a segment.
type Outcome struct {
	Kept        bool   // a usable segment is at the path
	Quarantined string // where the damaged original now is, if it was damaged
}

// Repair makes a scanned segment usable without ever losing evidence. A
// torn tail (a crash mid-write) is cut back to the last complete
// fragment, and a file without one is removed: nothing cut could ever
// play. A damaged file is never cut nor removed: it is moved into
// QuarantineDir as it is, and its intact fragments, those after the
// damage included, are copied with its header into a new segment at path.
func Repair(path string, in Info) (Outcome, error) {
	switch {
	case in.Intact():
		return Outcome{Kept: true}, nil
	case in.Damaged:
		return quarantine(path, in)
	case in.Fragments == 0:
		if err := os.Remove(path); err != nil {
			return Outcome{Kept: true}, fmt.Errorf("segstore: remove empty segment: %w", err)
		}
		return Outcome{}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return Outcome{Kept: true}, fmt.Errorf("segstore: repair: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(in.Size); err != nil {
		return Outcome{Kept: true}, fmt.Errorf("segstore: repair: %w", err)
	}
	return Outcome{Kept: true}, f.Sync()
}

// quarantine moves a damaged segment (and its fragment chain) aside and
// rebuilds its intact fragments at path. The rebuilt file is complete on
// disk before the original moves, so a crash leaves one or the other.
func quarantine(path string, in Info) (Outcome, error) {
	dir := filepath.Join(filepath.Dir(path), QuarantineDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Outcome{Kept: true}, fmt.Errorf("segstore: quarantine: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".rebuild")
	if in.Fragments > 0 {
		if err := rebuild(path, tmp, in); err != nil {
			os.Remove(tmp)
			return Outcome{Kept: true}, err
		}
	}
	out := Outcome{Quarantined: freeName(dir, filepath.Base(path))}
	if err := copyFile(ChainPath(path), ChainPath(out.Quarantined)); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.Remove(tmp)
		return Outcome{Kept: true}, fmt.Errorf("segstore: quarantine: %w", err)
	}
	if err := os.Rename(path, out.Quarantined); err != nil {
		os.Remove(tmp)
		return Outcome{Kept: true}, fmt.Errorf("segstore: quarantine: %w", err)
	}
	if in.Fragments > 0 {
		if err := os.Rename(tmp, path); err != nil {
			return out, fmt.Errorf("segstore: rebuilt segment: %w", err)
		}
		out.Kept = true
	}
	syncDir(dir)
	syncDir(filepath.Dir(path))
	return out, nil
}

// freeName returns a path in dir for name that holds no file yet: a
// segment damaged again after its rebuild must not overwrite the
// original kept the first time.
func freeName(dir, name string) string {
	p := filepath.Join(dir, name)
	for n := 2; ; n++ {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
		p = filepath.Join(dir, fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, Ext), n, Ext))
	}
}

// rebuild writes the header and the intact fragments of src to dst,
// durably. Fragments are copied byte for byte, so their hashes still
// match the chain.
func rebuild(src, dst string, in Info) error {
	r, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("segstore: rebuild: %w", err)
	}
	defer r.Close()
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("segstore: rebuild: %w", err)
	}
	defer w.Close()
	for _, g := range append([]ByteRange{{0, in.HeaderEnd}}, in.Good...) {
		if _, err := io.Copy(w, io.NewSectionReader(r, g.From, g.To-g.From)); err != nil {
			return fmt.Errorf("segstore: rebuild: %w", err)
		}
	}
	if err := w.Sync(); err != nil {
		return fmt.Errorf("segstore: rebuild: %w", err)
	}
	return w.Close()
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return err
	}
	return f.Sync()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Damage is one segment that repair found damaged.
type Damage struct {
	Camera      string
	Start       time.Time // of the segment
	Quarantined string    // the original, byte for byte
	Problem     string
	Salvaged    int   // intact fragments after the damage, kept in the rebuilt segment
	Kept        int64 // bytes of the rebuilt segment (0: nothing was readable)
	Bytes       int64 // of the quarantined original: disk that retention does not free
	Found       time.Time
}
