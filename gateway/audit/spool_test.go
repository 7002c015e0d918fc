package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway/store"
)

// TestSpoolTornLineIsCountedLost: a crash mid-append leaves a line without
// its end; replay reports it lost and replays the rest.
func TestSpoolTornLineIsCountedLost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sp, _ := openSpool(dir)
	for _, a := range []string{"login", "logout"} {
		if err := sp.append(store.AuditEntry{Time: time.Now(), Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.OpenFile(filepath.Join(dir, spoolFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"t":17965296978`)
	f.Close()
	sp, err := openSpool(dir)
	if err != nil || sp.Depth() != 3 { // the torn line waits too, to be reported
		t.Fatalf("reopened spool depth %d, %v", sp.Depth(), err)
	}
	var got []string
	var lost int64
	err = sp.replay(func(e store.AuditEntry) error { got = append(got, e.Action); return nil },
		func(n int64, err error) { lost += n })
	if err != nil || strings.Join(got, ",") != "login,logout" || lost != 1 {
		t.Fatalf("replayed %v, lost %d, %v", got, lost, err)
	}
	if st, err := os.Stat(filepath.Join(dir, spoolFile)); err != nil || st.Size() != 0 || sp.Depth() != 0 {
		t.Fatalf("spool not emptied after a full replay: %v %v depth %d", st.Size(), err, sp.Depth())
	}
}

// FuzzParseSpoolLine: any line either fails cleanly or parses to an entry
// that the spool writes and reads back unchanged.
func FuzzParseSpoolLine(f *testing.F) {
	f.Add([]byte(`{"t":1796529697843,"u":"li","a":"view.start","c":"bjn-hall-01","d":{"tile":3,"via":"tile"}}`))
	f.Add([]byte(`{"t":1,"a":"audit.lost","d":{"count":2}}`))
	f.Add([]byte(`{"t":0,"a":""}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := parseSpoolLine(line)
		if err != nil {
			return
		}
		sp := &spool{dir: t.TempDir()}
		if err := sp.append(e); err != nil {
			return // detail that is not valid JSON for the store: refused at append
		}
		var again []store.AuditEntry
		err = sp.replay(func(e store.AuditEntry) error { again = append(again, e); return nil },
			func(int64, error) { t.Fatalf("%+v written and lost", e) })
		if err != nil || len(again) != 1 || !again[0].Time.Equal(e.Time) || again[0].Action != e.Action ||
			again[0].User != e.User || again[0].Camera != e.Camera {
			t.Fatalf("%+v re-read as %+v, %v", e, again, err)
		}
	})
}
