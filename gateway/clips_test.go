package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/auth"
	"vigil/gateway/store"
	"vigil/internal/testwait"
	"vigil/streams/sim"
)

// clipJob is a job as GET /api/clips/{id} answers it.
type clipJob struct {
	ID       string
	Camera   string
	Status   string
	Progress float64
	Size     int64
	SHA256   string
	Error    string
	From, To string
	Missing  []struct{ From, To string }
	File     string
	Manifest string
}

// recordingGateway runs simulated cameras (320x180, 25 fps, 1 s GOP)
// recorded in 2 s segments: bjx-t-00 of station bjx and bjn-t-00 of bjn.
func recordingGateway(t *testing.T, opts ...gwOption) (*testGateway, *sim.Server) {
	t.Helper()
	t.Cleanup(gateway.SetRecordSegment(2 * time.Second))
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 320, Height: 180, GOP: 25})
	cfg := strings.ReplaceAll(stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-t-00"}, "bjn": {"bjn-t-00"}}),
		"record: false", "record: true")
	g := startTestGateway(t, cfg, opts...)
	waitRecording(t, g.Gateway, "bjx-t-00", "recording")
	return g, cam
}

func waitRecording(t *testing.T, g *gateway.Gateway, camera, state string) {
	t.Helper()
	testwait.For(t, "recorder of "+camera+" "+state, func() bool {
		st, ok := g.RecordingState(camera)
		return ok && st.State == state
	})
}

// waitRecordedUntil waits until camera's recording on disk reaches until.
func waitRecordedUntil(t *testing.T, g *gateway.Gateway, camera string, until time.Time) {
	t.Helper()
	testwait.For(t, camera+" recorded until "+until.Format(time.TimeOnly), func() bool {
		return !g.RecordedUntil(camera).Before(until)
	})
}

// waitClip polls a job until it is done or failed.
func waitClip(t *testing.T, c *client, id string) clipJob {
	t.Helper()
	var j clipJob
	testwait.For(t, "clip "+id+" done or failed", func() bool {
		j = clipJob{}
		c.must(200, "GET", "/api/clips/"+id, nil, &j)
		return j.Status == "done" || j.Status == "failed"
	})
	return j
}

func TestClipExport(t *testing.T) {
	g, _ := recordingGateway(t)
	g.createUser("li", auth.RoleDispatcher)
	li := g.login("li", userPassword)
	g.createUser("zhao", auth.RoleDispatcher, "bjn")
	zhao := g.login("zhao", userPassword)
	ws := dialConsole(t, g.URL(), li.token, "")

	from := time.Now().Add(500 * time.Millisecond)
	to := from.Add(3 * time.Second)
	waitRecordedUntil(t, g.Gateway, "bjx-t-00", to)
	var job clipJob
	li.must(202, "POST", "/api/clips", map[string]string{"camera": "bjx-t-00", "from": from.Format(time.RFC3339Nano),
		"to": to.Format(time.RFC3339Nano), "reason": "旅客遗失行李 / lost luggage, case 17"}, &job)
	if job.Status != "queued" || job.ID == "" {
		t.Fatalf("job %+v", job)
	}
	ws.waitFor(t, "clip done message", func(m map[string]any) bool {
		return m["type"] == "clip" && m["id"] == job.ID && m["status"] == "done"
	})
	job = waitClip(t, li, job.ID)
	if job.Status != "done" || job.Size == 0 || len(job.SHA256) != 64 || len(job.Missing) != 0 {
		t.Fatalf("job %+v", job)
	}

	dir := t.TempDir()
	mp4 := filepath.Join(dir, "incident.mp4")
	download(t, li, job.File, mp4)
	download(t, li, job.Manifest, filepath.Join(dir, "incident.manifest.json"))
	p := probeClip(t, mp4)
	if p.codec != "h264" || p.width != 320 || p.height != 180 || !p.firstKey {
		t.Fatalf("ffprobe: %+v", p)
	}
	if d := p.duration - 3; d < -1 || d > 1 { // within one GOP
		t.Fatalf("clip lasts %.2f s, want 3 s ± 1 GOP (1 s)", p.duration)
	}

	vigil := buildVigil(t)
	if out, err := exec.Command(vigil, "verify", "-data", g.dataDir, mp4).CombinedOutput(); err != nil || !strings.Contains(string(out), "intact") {
		t.Fatalf("vigil verify: %v\n%s", err, out)
	}
	flipByte(t, mp4, 1000)
	if out, err := exec.Command(vigil, "verify", "-data", g.dataDir, mp4).CombinedOutput(); err == nil || strings.Contains(string(out), "intact") {
		t.Fatalf("vigil verify accepts a flipped byte: %v\n%s", err, out)
	}

	// The other dispatcher, scoped to bjn, sees neither the clip nor the camera.
	zhao.must(404, "GET", "/api/clips/"+job.ID, nil, nil)
	zhao.must(404, "GET", job.File, nil, nil)
	var list struct{ Clips []clipJob }
	zhao.must(200, "GET", "/api/clips", nil, &list)
	if len(list.Clips) != 0 {
		t.Fatalf("zhao sees %+v", list.Clips)
	}
	g.admin.must(200, "GET", "/api/clips", nil, &list)
	if len(list.Clips) != 1 || list.Clips[0].ID != job.ID {
		t.Fatalf("admin sees %+v", list.Clips)
	}

	// A clip altered on the gateway's disk is refused and the refusal audited.
	flipByte(t, filepath.Join(g.dataDir, "clips", job.ID+".mp4"), 2000)
	li.must(409, "GET", job.File, nil, nil)
	entries := g.auditEntries("camera=bjx-t-00")
	for _, want := range []string{"clip.export/started", "clip.export/done", "clip.download/", "clip.verify_failed/"} {
		action, result, _ := strings.Cut(want, "/")
		if countAudit(entries, func(e auditEntry) bool {
			return e.Action == action && e.User == "li" && (result == "" || e.Detail["result"] == result)
		}) != 1 {
			t.Errorf("audit lacks %s:%s", want, fmtEntries(entries))
		}
	}
}

func download(t *testing.T, c *client, path, to string) {
	t.Helper()
	resp, body := c.do("GET", path, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("GET %s: %s %v", path, resp.Status, resp.Header)
	}
	if err := os.WriteFile(to, body, 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipByte(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x01
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

var (
	vigilOnce sync.Once
	vigilBin  string
	vigilErr  error
)

// buildVigil builds cmd/vigil once per test binary.
func buildVigil(t *testing.T) string {
	t.Helper()
	vigilOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-bin-")
		if err != nil {
			vigilErr = err
			return
		}
		vigilBin = filepath.Join(dir, "vigil")
		out, err := exec.Command("go", "build", "-o", vigilBin, "vigil/cmd/vigil").CombinedOutput()
		if err != nil {
			vigilErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if vigilErr != nil {
		t.Fatalf("build vigil: %v", vigilErr)
	}
	return vigilBin
}

type probe struct {
	codec         string
	width, height int
	duration      float64
	firstKey      bool
}

// probeClip asks ffprobe for the clip's codec, size and duration, and
// whether the media's first frame is a keyframe.
func probeClip(t *testing.T, path string) probe {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not installed")
	}
	out, err := exec.Command(bin, "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var s struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Duration  string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Streams) != 1 {
		t.Fatalf("ffprobe %s: %v", out, err)
	}
	p := probe{codec: s.Streams[0].CodecName, width: s.Streams[0].Width, height: s.Streams[0].Height}
	p.duration, _ = strconv.ParseFloat(s.Streams[0].Duration, 64)
	out, err = exec.Command(bin, "-v", "error", "-ignore_editlist", "1", "-select_streams", "v:0", "-show_frames",
		"-read_intervals", "%+#1", "-show_entries", "frame=key_frame", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe frames: %v", err)
	}
	p.firstKey = strings.HasPrefix(strings.TrimSpace(string(out)), "1")
	return p
}

// clipState counts the clip rows and files, to show a refused request
// left nothing behind.
func clipState(t *testing.T, g *testGateway) (rows, files int) {
	t.Helper()
	list, err := g.Store().ListClips(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(g.dataDir, "clips"))
	return len(list), len(entries)
}

func TestClipBadRequests(t *testing.T) {
	g, _ := recordingGateway(t)
	g.createUser("li", auth.RoleDispatcher)
	li := g.login("li", userPassword)
	g.createUser("zhao", auth.RoleDispatcher, "bjn")
	zhao := g.login("zhao", userPassword)
	// Something recorded, so that only the request is wrong.
	waitRecordedUntil(t, g.Gateway, "bjx-t-00", time.Now().Add(2*time.Second))
	now := time.Now()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	body := func(cam, from, to, reason string) map[string]string {
		return map[string]string{"camera": cam, "from": from, "to": to, "reason": reason}
	}
	ok := body("bjx-t-00", ts(-time.Minute), ts(0), "incident")
	cases := []struct {
		name   string
		c      *client
		body   any
		status int
	}{
		{"to before from", li, body("bjx-t-00", ts(0), ts(-time.Minute), "x"), 400},
		{"to equals from", li, body("bjx-t-00", ts(-time.Minute), ts(-time.Minute), "x"), 400},
		{"epoch", li, body("bjx-t-00", "1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z", "x"), 400},
		{"year 9999", li, body("bjx-t-00", "9999-01-01T00:00:00Z", "9999-01-01T00:01:00Z", "x"), 400},
		{"far future to", li, body("bjx-t-00", ts(-time.Minute), "9999-01-01T00:00:00Z", "x"), 400},
		{"future", li, body("bjx-t-00", ts(time.Hour), ts(time.Hour+time.Minute), "x"), 400},
		{"too long", li, body("bjx-t-00", ts(-3*time.Hour), ts(0), "x"), 400},
		{"not RFC 3339", li, body("bjx-t-00", "yesterday", ts(0), "x"), 400},
		{"missing from", li, body("bjx-t-00", "", ts(0), "x"), 400},
		{"missing reason", li, body("bjx-t-00", ts(-time.Minute), ts(0), ""), 400},
		{"blank reason", li, body("bjx-t-00", ts(-time.Minute), ts(0), "  \n "), 400},
		{"long reason", li, body("bjx-t-00", ts(-time.Minute), ts(0), strings.Repeat("事", 501)), 400},
		{"control characters", li, body("bjx-t-00", ts(-time.Minute), ts(0), "a\x00b"), 400},
		{"unknown field", li, map[string]string{"camera": "bjx-t-00", "from": ts(-time.Minute), "to": ts(0), "reason": "x", "path": "/etc/passwd"}, 400},
		{"not JSON", li, "camera=bjx-t-00", 400},
		{"unknown camera", li, body("bjx-t-99", ts(-time.Minute), ts(0), "x"), 404},
		{"path as camera", li, body("../../vigil", ts(-time.Minute), ts(0), "x"), 404},
		{"hidden camera", zhao, ok, 404},
		{"no recording", li, body("bjx-t-00", ts(-26*time.Hour), ts(-25*time.Hour), "x"), 422},
	}
	rows, files := clipState(t, g)
	for _, tc := range cases {
		resp, data := tc.c.do("POST", "/api/clips", tc.body)
		var e struct{ Error string }
		if resp.StatusCode != tc.status || json.Unmarshal(data, &e) != nil || e.Error == "" {
			t.Errorf("%s: %s %s, want %d and an error message", tc.name, resp.Status, data, tc.status)
		}
	}
	if r, f := clipState(t, g); r != rows || f != files {
		t.Fatalf("refused requests left %d rows and %d files (had %d, %d)", r, f, rows, files)
	}

	id := storeDoneClip(g, "bjx-t-00", "li")
	for _, path := range []string{
		"/api/clips/..%2F..%2Fvigil.db/file", "/api/clips/%2e%2e/file", "/api/clips/" + strings.ToUpper(id) + "/file",
		"/api/clips/" + id + "0/file", "/api/clips/" + id[:15] + "/file", "/api/clips/" + id[:15] + "%00/file",
		"/api/clips/..%2Fevidence.key/manifest", "/api/clips/" + id + ".mp4",
	} {
		if resp, data := li.do("GET", path, nil); resp.StatusCode != 404 {
			t.Errorf("GET %s: %s %s, want 404", path, resp.Status, data)
		}
	}
	li.must(200, "GET", "/api/clips/"+id+"/file", nil, nil)
}

// TestClipRestart: recordings and the clip list survive a restart; a job
// that was running when the gateway died is failed and its part removed.
func TestClipRestart(t *testing.T) {
	g, _ := recordingGateway(t)
	from := time.Now()
	waitRecordedUntil(t, g.Gateway, "bjx-t-00", from.Add(3*time.Second))
	var job clipJob
	g.admin.must(202, "POST", "/api/clips", map[string]string{"camera": "bjx-t-00", "from": from.Format(time.RFC3339Nano),
		"to": from.Add(2 * time.Second).Format(time.RFC3339Nano), "reason": "restart"}, &job)
	if job = waitClip(t, g.admin, job.ID); job.Status != "done" {
		t.Fatalf("job %+v", job)
	}
	dataDir := g.dataDir
	g.Close()

	st, err := store.Open(filepath.Join(dataDir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := st.CreateClip(context.Background(), store.Clip{Camera: "bjx-t-00", From: from, To: from.Add(time.Second),
		Reason: "crash", Exporter: "admin", Status: "running", Progress: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	part := filepath.Join(dataDir, "clips", crashed.ID+".mp4.part")
	if err := os.WriteFile(part, []byte("half a clip"), 0o640); err != nil {
		t.Fatal(err)
	}

	g2, _ := recordingGateway(t, func(o *gateway.Options) { o.DataDir = dataDir })
	var list struct{ Clips []clipJob }
	g2.admin.must(200, "GET", "/api/clips", nil, &list)
	if len(list.Clips) != 2 {
		t.Fatalf("after restart: %+v", list.Clips)
	}
	var c clipJob
	g2.admin.must(200, "GET", "/api/clips/"+crashed.ID, nil, &c)
	if c.Status != "failed" || c.Error == "" {
		t.Fatalf("crashed job after restart: %+v", c)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Fatalf("part file still there: %v", err)
	}
	g2.admin.must(200, "GET", job.File, nil, nil) // still verifies
	var again clipJob
	g2.admin.must(202, "POST", "/api/clips", map[string]string{"camera": "bjx-t-00", "from": from.Format(time.RFC3339Nano),
		"to": from.Add(2 * time.Second).Format(time.RFC3339Nano), "reason": "again"}, &again)
	if again = waitClip(t, g2.admin, again.ID); again.Status != "done" || again.SHA256 != job.SHA256 {
		t.Fatalf("export of the old range after restart: %+v (first: %s)", again, job.SHA256)
	}
}
