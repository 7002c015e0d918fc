package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway/api"
	"vigil/streams/segstore"
)

// diskSegments lists real files as a camera's segments.
type diskSegments []segstore.Segment

func (d diskSegments) Segments(camera string, from, to time.Time) []segstore.Segment {
	var out []segstore.Segment
	for _, s := range d {
		if s.Camera == camera && s.End.After(from) && s.Start.Before(to) {
			out = append(out, s)
		}
	}
	return out
}

func TestNodeRecordingsAreForNodesOnly(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	seg := filepath.Join(dir, "bjx-nsq-01", "20260101T080000.000Z"+segstore.Ext)
	os.MkdirAll(filepath.Dir(seg), 0o700)
	os.WriteFile(seg, []byte("0123456789-torn-tail"), 0o600)
	os.WriteFile(segstore.ChainPath(seg), []byte("chain\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("not a segment"), 0o600)
	recs := diskSegments{{Camera: "bjx-nsq-01", Path: seg, Start: t0, End: t0.Add(10 * time.Second), Size: 10, Intact: true}}
	srv := httptest.NewServer(api.New(api.Options{NodeSecret: "cluster-secret-0123456789", NodeRecordings: recs}))
	defer srv.Close()
	get := func(path, auth string) (int, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	node := "Node cluster-secret-0123456789"
	q := "?from=" + t0.Add(-time.Minute).Format(time.RFC3339) + "&to=" + t0.Add(time.Minute).Format(time.RFC3339)
	for _, auth := range []string{"", "Node wrong", "Bearer cluster-secret-0123456789", "Node cluster-secret-012345678"} {
		if code, _ := get("/api/internal/recordings/bjx-nsq-01"+q, auth); code != http.StatusUnauthorized {
			t.Errorf("listing with %q: %d", auth, code)
		}
	}
	code, body := get("/api/internal/recordings/bjx-nsq-01"+q, node)
	var list []api.NodeSegment
	if code != 200 || json.Unmarshal(body, &list) != nil || len(list) != 1 || list[0].Size != 10 || !list[0].Chain {
		t.Fatalf("listing: %d %s", code, body)
	}
	if code, body := get("/api/internal/recordings/bjx-nsq-01/"+list[0].Name, node); code != 200 || string(body) != "0123456789" {
		t.Fatalf("segment: %d %q (only the usable bytes)", code, body)
	}
	if code, body := get("/api/internal/recordings/bjx-nsq-01/"+list[0].Name+"?part=chain", node); code != 200 || string(body) != "chain\n" {
		t.Fatalf("chain: %d %q", code, body)
	}
	for _, path := range []string{"/api/internal/recordings/bjx-nsq-01/..%2Fsecret.txt", "/api/internal/recordings/bjx-nsq-01/secret.txt",
		"/api/internal/recordings/bjx-nsq-02/" + list[0].Name} {
		if code, body := get(path, node); code != http.StatusNotFound {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	if code, _ := get("/api/internal/recordings/bjx-nsq-01?from=x", node); code != http.StatusBadRequest {
		t.Errorf("bad range: %d", code)
	}
}
