package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestAuditedWriterSeesEveryResponseWithBytes serves a real file through
// http.ServeContent over a socket: 200 and 206 answers are reported once
// each, before their bytes; 304 and 416 carry none and are not.
func TestAuditedWriterSeesEveryResponseWithBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(path, make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, _ := os.Open(path)
		defer f.Close()
		aw := &auditedWriter{ResponseWriter: w, onBytes: func(status int, _ http.Header) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, status)
		}}
		http.ServeContent(aw, r, "clip.mp4", time.Unix(1e9, 0), f)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		header, value string
		status        int
	}{
		{"", "", 200},
		{"Range", "bytes=-10", 206},
		{"Range", "bytes=5000-", 416},
		{"If-Modified-Since", time.Unix(2e9, 0).UTC().Format(http.TimeFormat), 304},
	} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if tc.header != "" {
			req.Header.Set(tc.header, tc.value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Fatalf("%s %s: %d, want %d", tc.header, tc.value, resp.StatusCode, tc.status)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != 200 || seen[1] != 206 {
		t.Fatalf("reported %v, want [200 206]", seen)
	}
}

// TestVerifiedClipsForgetsAnotherVersion: a version that passed is known;
// the same clip with another stamp is not.
func TestVerifiedClipsForgetsAnotherVersion(t *testing.T) {
	var v verifiedClips
	a := clipVersion{clip: fileStamp{size: 10, mtimeNs: 1}}
	b := a
	b.clip.size = 11
	v.add("c1", a)
	if !v.has("c1", a) || v.has("c1", b) || v.has("c2", a) {
		t.Fatal("cache answers wrongly")
	}
}
