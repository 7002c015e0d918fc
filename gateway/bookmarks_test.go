package gateway_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/segstore"
)

type bookmarkJSON struct {
	ID, Camera, Station, From, To, Title, Note string
	Locked                                     bool
	CreatedBy                                  string `json:"created_by"`
	LockedBy                                   string `json:"locked_by"`
}

// bookmarkBody is a one-minute bookmark of camera ending a minute ago.
func bookmarkBody(camera string, lock bool) map[string]any {
	now := time.Now()
	return map[string]any{"camera": camera, "from": now.Add(-2 * time.Minute).Format(time.RFC3339),
		"to": now.Add(-time.Minute).Format(time.RFC3339), "title": "站台5 争执", "note": "两人", "lock": lock}
}

func TestBookmarkAccess(t *testing.T) {
	g := startTestGateway(t, twoStations)
	for _, u := range []struct {
		name string
		role auth.Role
		st   []string
	}{{"disp", auth.RoleDispatcher, nil}, {"op", auth.RoleOperator, nil}, {"op-bjn", auth.RoleOperator, []string{"bjn"}}, {"view", auth.RoleViewer, nil}} {
		g.createUser(u.name, u.role, u.st...)
	}
	disp, op, opBJN, view := g.login("disp", userPassword), g.login("op", userPassword), g.login("op-bjn", userPassword), g.login("view", userPassword)

	var b bookmarkJSON
	disp.must(http.StatusCreated, "POST", "/api/bookmarks", bookmarkBody("bjx-nsq-01", false), &b)
	if b.Station != "bjx" || b.CreatedBy != "disp" || b.Locked {
		t.Fatalf("created %+v", b)
	}
	disp.must(http.StatusForbidden, "POST", "/api/bookmarks", bookmarkBody("bjx-nsq-01", true), nil)
	view.must(http.StatusForbidden, "POST", "/api/bookmarks", bookmarkBody("bjx-nsq-01", false), nil)
	view.must(http.StatusOK, "GET", "/api/bookmarks/"+b.ID, nil, nil)
	var rec struct{ Bookmarks []bookmarkJSON }
	view.must(http.StatusOK, "GET", "/api/recordings/bjx-nsq-01", nil, &rec)
	if len(rec.Bookmarks) != 1 || rec.Bookmarks[0].ID != b.ID || rec.Bookmarks[0].Title != "站台5 争执" {
		t.Fatalf("the recordings of the camera show bookmarks %+v", rec.Bookmarks)
	}

	// A camera the user may not see: its bookmarks do not exist for him.
	opBJN.must(http.StatusNotFound, "GET", "/api/bookmarks/"+b.ID, nil, nil)
	opBJN.must(http.StatusNotFound, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": true}, nil)
	opBJN.must(http.StatusNotFound, "DELETE", "/api/bookmarks/"+b.ID, nil, nil)
	opBJN.must(http.StatusNotFound, "POST", "/api/bookmarks", bookmarkBody("bjx-nsq-01", true), nil)
	opBJN.must(http.StatusNotFound, "GET", "/api/bookmarks?camera=bjx-nsq-01", nil, nil)
	var list struct{ Bookmarks []bookmarkJSON }
	opBJN.must(http.StatusOK, "GET", "/api/bookmarks", nil, &list)
	if len(list.Bookmarks) != 0 {
		t.Fatalf("a bjn operator lists %+v", list.Bookmarks)
	}

	// Lock: operator; unlock: admin only.
	disp.must(http.StatusForbidden, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": true}, nil)
	op.must(http.StatusOK, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": true}, &b)
	if !b.Locked || b.LockedBy != "op" {
		t.Fatalf("locked %+v", b)
	}
	op.must(http.StatusForbidden, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": false}, nil)
	op.must(http.StatusForbidden, "DELETE", "/api/bookmarks/"+b.ID, nil, nil)
	disp.must(http.StatusForbidden, "DELETE", "/api/bookmarks/"+b.ID, nil, nil)
	disp.must(http.StatusOK, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"note": "已报警"}, &b)
	if !b.Locked || b.Note != "已报警" {
		t.Fatalf("after the author's edit %+v", b)
	}
	g.admin.must(http.StatusOK, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": false}, &b)
	if b.Locked {
		t.Fatalf("unlocked %+v", b)
	}
	op.must(http.StatusOK, "PUT", "/api/bookmarks/"+b.ID, map[string]any{"lock": true}, nil)
	g.admin.must(http.StatusNoContent, "DELETE", "/api/bookmarks/"+b.ID, nil, nil)
	view.must(http.StatusNotFound, "GET", "/api/bookmarks/"+b.ID, nil, nil)

	want := map[string]int{"bookmark.create": 1, "evidence.lock": 2, "evidence.unlock": 2, "bookmark.update": 1, "bookmark.delete": 1}
	testwait.For(t, "the bookmark audit entries", func() bool {
		got := g.auditEntries("camera=bjx-nsq-01")
		for action, n := range want {
			if countAudit(got, func(e auditEntry) bool { return e.Action == action && e.Detail["id"] == b.ID }) != n {
				return false
			}
		}
		return true
	})
}

func TestBookmarkBadInput(t *testing.T) {
	g := startTestGateway(t, twoStations)
	now := time.Now()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for name, body := range map[string]any{
		"to before from": map[string]any{"camera": "bjx-nsq-01", "from": ts(-time.Minute), "to": ts(-2 * time.Minute), "title": "x"},
		"future":         map[string]any{"camera": "bjx-nsq-01", "from": ts(time.Hour), "title": "x"},
		"over a day":     map[string]any{"camera": "bjx-nsq-01", "from": ts(-25 * time.Hour), "to": ts(0), "title": "x"},
		"no title":       map[string]any{"camera": "bjx-nsq-01", "from": ts(-time.Minute), "title": "  "},
		"bad time":       map[string]any{"camera": "bjx-nsq-01", "from": "yesterday", "title": "x"},
		"unknown field":  map[string]any{"camera": "bjx-nsq-01", "from": ts(-time.Minute), "title": "x", "locked": true},
		"bad camera":     map[string]any{"camera": "../etc", "from": ts(-time.Minute), "title": "x"},
	} {
		if resp, out := g.admin.do("POST", "/api/bookmarks", body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s %s", name, resp.Status, out)
		}
	}
	g.admin.must(http.StatusNotFound, "POST", "/api/bookmarks", bookmarkBody("bjx-nope-01", false), nil)
	g.admin.must(http.StatusBadRequest, "GET", "/api/bookmarks?from=soon", nil, nil)
	g.admin.must(http.StatusNotFound, "GET", "/api/bookmarks/0123456789abcdef", nil, nil)
	var point bookmarkJSON // a point: to left out
	g.admin.must(http.StatusCreated, "POST", "/api/bookmarks", map[string]any{"camera": "bjn-hall-01", "from": ts(-time.Minute), "title": "点"}, &point)
	if point.From != point.To {
		t.Fatalf("point %+v", point)
	}
}

// writeFixtureSegment writes a recorded segment of camera starting at
// start (frames of 40 ms, payload bytes each) the way the recorder names
// them, and returns its path.
func writeFixtureSegment(t *testing.T, dataDir, camera string, start time.Time, frames, payload int) string {
	t.Helper()
	dir := filepath.Join(dataDir, "rec", camera)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	b := segstore.AppendInit(nil, segstore.Init{Timescale: segstore.Timescale, Width: 640, Height: 360,
		SPS: []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x40}, PPS: []byte{0x68, 0xce, 0x3c, 0x80}})
	samples := make([]segstore.OutSample, frames)
	for i := range samples {
		samples[i] = segstore.OutSample{Duration: segstore.Timescale / 25, Key: i == 0, NALUs: [][]byte{make([]byte, payload)}}
	}
	b = segstore.AppendFragment(b, 1, 0, samples)
	path := filepath.Join(dir, segstore.FileName(start))
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRetentionKeepsLockedEvidence: under a budget far below what is on
// disk, retention deletes every segment but those a locked bookmark
// covers, and the API counts the locked bytes.
func TestRetentionKeepsLockedEvidence(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	var paths []string
	for i := range 6 {
		paths = append(paths, writeFixtureSegment(t, dataDir, "bjx-nsq-01", start.Add(time.Duration(i)*2*time.Second), 50, 2000))
	}
	// The lock exists before the gateway starts: its first retention pass
	// runs at once.
	st, err := store.Open(filepath.Join(dataDir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := st.CreateBookmark(context.Background(), store.Bookmark{Camera: "bjx-nsq-01", Station: "bjx",
		From: start.Add(5 * time.Second), To: start.Add(7 * time.Second), Title: "evidence", Locked: true, CreatedBy: "op"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	g := startTestGateway(t, twoStations+"recording:\n  max_bytes: 1000\n", func(o *gateway.Options) {
		o.DataDir = dataDir
	})
	kept := func(i int) bool { _, err := os.Stat(paths[i]); return err == nil }
	testwait.For(t, "retention to delete the unlocked segments", func() bool {
		return !kept(0) && !kept(1) && !kept(4) && !kept(5)
	})
	if !kept(2) || !kept(3) {
		t.Fatalf("retention deleted locked segments (lock %s–%s)", lock.From, lock.To)
	}
	var usage struct {
		Bytes   int64
		Cameras map[string]int64
	}
	g.admin.must(http.StatusOK, "GET", "/api/bookmarks/locked", nil, &usage)
	var want int64
	for _, i := range []int{2, 3} {
		fi, _ := os.Stat(paths[i])
		want += fi.Size()
	}
	if usage.Bytes != want || usage.Cameras["bjx-nsq-01"] != want {
		t.Fatalf("locked usage %+v, want %d bytes", usage, want)
	}
}
