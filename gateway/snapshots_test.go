package gateway_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"vigil/gateway/auth"
	"vigil/internal/testwait"
	"vigil/streams/segstore"
)

// closedSegment waits until camera has a segment the recorder closed (a
// newer one exists) and returns its start time.
func closedSegment(t *testing.T, g *testGateway, camera string) time.Time {
	t.Helper()
	var start time.Time
	testwait.For(t, "a closed segment of "+camera, func() bool {
		names, _ := filepath.Glob(filepath.Join(g.dataDir, "rec", camera, "*"+segstore.Ext))
		slices.Sort(names)
		if len(names) < 2 {
			return false
		}
		var err error
		start, err = segstore.ParseFileName(filepath.Base(names[len(names)-2]))
		return err == nil
	})
	return start
}

// stillSize checks that b is a JPEG and returns its width and height.
func stillSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a JPEG (%d bytes): %v", len(b), err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func TestSnapshotLiveAndRecorded(t *testing.T) {
	if _, err := os.Stat("/usr/bin/ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	g, _ := recordingGateway(t)
	g.createUser("zhao", auth.RoleOperator, "bjn")
	zhao := g.login("zhao", userPassword)

	var live []byte
	testwait.For(t, "a live still", func() bool {
		resp, body := g.admin.do("GET", "/api/cameras/bjx-t-00/snapshot", nil)
		live = body
		return resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == "image/jpeg"
	})
	if w, h := stillSize(t, live); w != 320 || h != 180 {
		t.Fatalf("live still %dx%d, want 320x180", w, h)
	}

	at := closedSegment(t, g, "bjx-t-00").Add(time.Second)
	resp, rec := g.admin.do("GET", "/api/cameras/bjx-t-00/snapshot?t="+at.Format(time.RFC3339Nano), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("recorded still: %s %s", resp.Status, rec)
	}
	if w, h := stillSize(t, rec); w != 320 || h != 180 {
		t.Fatalf("recorded still %dx%d", w, h)
	}

	zhao.must(http.StatusNotFound, "GET", "/api/cameras/bjx-t-00/snapshot", nil, nil)
	g.admin.must(http.StatusBadRequest, "GET", "/api/cameras/bjx-t-00/snapshot?t="+time.Now().Add(time.Hour).Format(time.RFC3339), nil, nil)
	g.admin.must(http.StatusBadRequest, "GET", "/api/cameras/bjx-t-00/snapshot?t=noon", nil, nil)
	g.admin.must(http.StatusUnprocessableEntity, "GET", "/api/cameras/bjx-t-00/snapshot?t="+time.Now().Add(-time.Hour).Format(time.RFC3339), nil, nil)

	testwait.For(t, "two snapshot audit entries", func() bool {
		return countAudit(g.auditEntries("action=snapshot"), func(e auditEntry) bool {
			return e.User == "admin" && e.Camera == "bjx-t-00"
		}) == 2
	})
}
