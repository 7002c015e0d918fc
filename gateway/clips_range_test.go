package gateway_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/gateway/auth"
	"vigil/internal/testwait"
)

// exportClip exports the first two seconds recorded of bjx-t-00 from now
// and returns the done job (a range partly recorded is exported too).
func exportClip(t *testing.T, c *client) clipJob {
	t.Helper()
	from := time.Now()
	var job clipJob
	testwait.For(t, "a recorded range to export", func() bool {
		resp, body := c.do("POST", "/api/clips", map[string]string{"camera": "bjx-t-00",
			"from": from.Format(time.RFC3339Nano), "to": from.Add(2 * time.Second).Format(time.RFC3339Nano), "reason": "range test"})
		if resp.StatusCode == http.StatusAccepted {
			job = decodeJob(t, body)
		}
		return resp.StatusCode == http.StatusAccepted
	})
	if job = waitClip(t, c, job.ID); job.Status != "done" {
		t.Fatalf("export: %+v", job)
	}
	return job
}

// rangeForms are the Range headers a client may send, with the bytes of
// a file of size n each must answer (one range) or -1 (several: a
// multipart answer, checked by its parts' presence).
var rangeForms = []struct {
	header     string
	start, end func(n int) int // [start, end)
}{
	{"bytes=0-", func(int) int { return 0 }, func(n int) int { return n }},
	{"bytes=0-99", func(int) int { return 0 }, func(int) int { return 100 }},
	{"bytes=-500", func(n int) int { return n - 500 }, func(n int) int { return n }},
	{"bytes=1-", func(int) int { return 1 }, func(n int) int { return n }},
	{"bytes=100-199", func(int) int { return 100 }, func(int) int { return 200 }},
	{"bytes=10-19,50-59", nil, nil},
}

// TestClipRangeDownloadsAreVerifiedAndAudited: every Range form is served
// only from a file that matches its signed manifest, and each response
// that carries bytes leaves a clip.download entry naming its range.
func TestClipRangeDownloadsAreVerifiedAndAudited(t *testing.T) {
	g, _ := recordingGateway(t)
	g.createUser("li", auth.RoleDispatcher)
	li := g.login("li", userPassword)
	job := exportClip(t, li)
	file, err := os.ReadFile(filepath.Join(g.dataDir, "clips", job.ID+".mp4"))
	if err != nil {
		t.Fatal(err)
	}

	for _, rf := range rangeForms {
		resp, body := li.with("Range", rf.header).do("GET", job.File, nil)
		if resp.StatusCode != http.StatusPartialContent {
			t.Fatalf("intact clip, Range %s: %s", rf.header, resp.Status)
		}
		if rf.start == nil {
			if !bytes.Contains(body, file[10:20]) || !bytes.Contains(body, file[50:60]) ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") {
				t.Fatalf("Range %s: %s %q", rf.header, resp.Header.Get("Content-Type"), body)
			}
			continue
		}
		if want := file[rf.start(len(file)):rf.end(len(file))]; !bytes.Equal(body, want) {
			t.Fatalf("Range %s: %d bytes, not the file's %d", rf.header, len(body), len(want))
		}
	}
	downloads := g.auditEntries("action=clip.download&user=li")
	for _, rf := range rangeForms {
		if countAudit(downloads, func(e auditEntry) bool {
			return e.Detail["range"] == rf.header && e.Detail["id"] == job.ID && e.Detail["status"] == float64(206)
		}) != 1 {
			t.Errorf("no clip.download for Range %s:%s", rf.header, fmtEntries(downloads))
		}
	}

	flipByte(t, filepath.Join(g.dataDir, "clips", job.ID+".mp4"), int64(len(file)-10))
	for _, rf := range rangeForms {
		resp, body := li.with("Range", rf.header).do("GET", job.File, nil)
		if resp.StatusCode != http.StatusConflict || bytes.Contains(body, file[:8]) {
			t.Fatalf("altered clip, Range %s: %s, %d bytes", rf.header, resp.Status, len(body))
		}
	}
	li.must(http.StatusConflict, "GET", job.File, nil, nil) // and the whole file
	failed := g.auditEntries("action=clip.verify_failed&user=li")
	if n := len(failed); n != len(rangeForms)+1 {
		t.Errorf("%d clip.verify_failed entries, want %d:%s", n, len(rangeForms)+1, fmtEntries(failed))
	}
	if n := len(g.auditEntries("action=clip.download&user=li")); n != len(downloads) {
		t.Errorf("downloads of the altered clip audited as served: %d, was %d", n, len(downloads))
	}
}

func decodeJob(t *testing.T, body []byte) clipJob {
	t.Helper()
	var j clipJob
	if err := json.Unmarshal(body, &j); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	return j
}
