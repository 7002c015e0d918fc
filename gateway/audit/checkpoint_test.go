package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/evidence"
)

func testKey(t *testing.T) *evidence.Key {
	t.Helper()
	k, err := evidence.LoadOrCreateKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestCheckpointerWritesEverywhere: every 10 entries, and at Close, the
// signed head goes to the store, the file and the log.
func TestCheckpointerWritesEverywhere(t *testing.T) {
	t.Parallel()
	st, _ := openSQLite(t)
	key := testKey(t)
	file := filepath.Join(t.TempDir(), CheckpointFile)
	var logs syncBuffer
	l := New(Options{Store: st, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Checkpoints: NewCheckpointer(CheckpointOptions{Store: st, Signer: key, File: file, Every: 10})})
	for i := range 25 {
		l.Record(context.Background(), Entry{User: "li", Action: ActionViewStart, Detail: map[string]any{"n": i}})
	}
	l.Close()
	cps, err := ReadCheckpoints(file)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, cp := range cps {
		seqs = append(seqs, cp.Seq)
		if err := VerifyCheckpoint(cp, key.Public()); err != nil {
			t.Fatal(err)
		}
		if err := st.CheckAuditAnchor(context.Background(), cp); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(seqs) != "[10 20 25]" {
		t.Fatalf("checkpoints at %v", seqs)
	}
	latest, err := st.LatestAuditCheckpoint(context.Background(), KeyHex(key.Public()))
	if err != nil || latest != cps[2] {
		t.Fatalf("store's newest checkpoint %+v, %v; file's %+v", latest, err, cps[2])
	}
	if !strings.Contains(logs.String(), `msg="audit checkpoint" seq=25`) {
		t.Fatalf("no log line: %s", logs.String())
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file: %v %v", st.Mode(), err)
	}
}

// TestCheckpointerInterval: a few entries and no more still get a
// checkpoint once the interval has passed.
func TestCheckpointerInterval(t *testing.T) {
	t.Parallel()
	st, _ := openSQLite(t)
	file := filepath.Join(t.TempDir(), CheckpointFile)
	l := New(Options{Store: st, Logger: quietLogger(), RetryEvery: 10 * time.Millisecond,
		Checkpoints: NewCheckpointer(CheckpointOptions{Store: st, Signer: testKey(t), File: file, Interval: 10 * time.Millisecond})})
	defer l.Close()
	l.Record(context.Background(), Entry{Action: ActionLogin})
	testwait.For(t, "a checkpoint of seq 1", func() bool {
		cps, err := ReadCheckpoints(file)
		return err == nil && len(cps) == 1 && cps[0].Seq == 1
	})
}

func TestVerifyCheckpointRejects(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	good := SignCheckpoint(key, 7, strings.Repeat("ab", 32), time.Now())
	if err := VerifyCheckpoint(good, key.Public()); err != nil {
		t.Fatal(err)
	}
	if err := VerifyCheckpoint(good, nil); err != nil {
		t.Fatalf("with the key it names: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	altered := func(f func(*store.AuditCheckpoint)) store.AuditCheckpoint { cp := good; f(&cp); return cp }
	for name, cp := range map[string]store.AuditCheckpoint{
		"other seq":  altered(func(cp *store.AuditCheckpoint) { cp.Seq = 8 }),
		"other hash": altered(func(cp *store.AuditCheckpoint) { cp.Hash = strings.Repeat("cd", 32) }),
		"other time": altered(func(cp *store.AuditCheckpoint) { cp.Time = cp.Time.Add(time.Millisecond) }),
		"bad key":    altered(func(cp *store.AuditCheckpoint) { cp.Key = "zz" }),
		"bad sig":    altered(func(cp *store.AuditCheckpoint) { cp.Sig = "!!" }),
	} {
		if err := VerifyCheckpoint(cp, key.Public()); !errors.Is(err, ErrBadCheckpoint) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := VerifyCheckpoint(good, other); !errors.Is(err, ErrBadCheckpoint) {
		t.Errorf("signed by another key than the trusted one: %v", err)
	}
}

func TestReadCheckpointsNamesTheBadLine(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), CheckpointFile)
	cp := SignCheckpoint(testKey(t), 3, strings.Repeat("ab", 32), time.Now())
	if err := appendCheckpoint(file, cp); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{\"seq\":4\n")
	f.Close()
	if _, err := ReadCheckpoints(file); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("damaged line: %v", err)
	}
}

// FuzzParseCheckpoint: any line either fails cleanly or parses to a
// checkpoint that survives a write and a re-read.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte(`{"seq":10,"hash":"` + strings.Repeat("ab", 32) + `","time":1796529697843,"key":"9040","sig":"Pl51"}`))
	f.Add([]byte(`{"seq":-1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		cp, err := ParseCheckpoint(line)
		if err != nil {
			return
		}
		file := filepath.Join(t.TempDir(), CheckpointFile)
		if err := appendCheckpoint(file, cp); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCheckpoints(file)
		if err != nil || len(again) != 1 || again[0] != cp {
			t.Fatalf("%+v re-read as %+v, %v", cp, again, err)
		}
	})
}
