package gateway_test

import (
	"bufio"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/media"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// scrape reads GET /metrics as c and returns every series as printed
// (name and labels, the labels sorted by name) with its value.
func scrape(t *testing.T, c *client) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(c.must(http.StatusOK, "GET", "/metrics", nil, nil)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// waitSeries waits until /metrics has series at value want; want < 0
// waits until the series is gone.
func waitSeries(t *testing.T, c *client, series string, want float64) {
	t.Helper()
	var last map[string]float64
	if !testwait.Until(t, func() bool {
		last = scrape(t, c)
		v, ok := last[series]
		return (want < 0 && !ok) || (ok && v == want)
	}) {
		v, ok := last[series]
		t.Fatalf("%s: have %v (present %v), want %v", series, v, ok, want)
	}
}

// TestMetricsViewersAndConsoles: WHEP sessions and console tiles are
// counted by camera and mode while they are open, and are gone when they
// end; console connections are counted; every camera names its station.
func TestMetricsViewersAndConsoles(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	g := startTestGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-t-00"}, "qh": {"qh-t-00"}}))
	admin := g.admin
	m := scrape(t, admin)
	for series, want := range map[string]float64{
		`vigil_camera_info{camera="bjx-t-00",station="bjx"}`: 1, `vigil_camera_info{camera="qh-t-00",station="qh"}`: 1,
		`vigil_console_connections`: 0,
	} {
		if v, ok := m[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}

	v := openWHEP(t, g.URL(), admin.token, "bjx-t-00")
	waitSeries(t, admin, `vigil_whep_sessions{camera="bjx-t-00",mode="live"}`, 1)
	openWHEP(t, g.URL(), admin.token, "bjx-t-00")
	waitSeries(t, admin, `vigil_whep_sessions{camera="bjx-t-00",mode="live"}`, 2)

	c := dialConsole(t, g.URL(), admin.token, "")
	c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "qh-t-00"})
	c.send(t, map[string]any{"type": "assign", "tile": 3, "camera": "qh-t-00"})
	c.send(t, map[string]any{"type": "assign", "tile": 1, "camera": "bjx-t-00"})
	waitSeries(t, admin, `vigil_console_tiles{camera="qh-t-00",mode="live"}`, 2)
	waitSeries(t, admin, `vigil_console_tiles{camera="bjx-t-00",mode="live"}`, 1)
	waitSeries(t, admin, `vigil_console_connections`, 1)

	admin.must(http.StatusOK, "DELETE", v.location, nil, nil)
	waitSeries(t, admin, `vigil_whep_sessions{camera="bjx-t-00",mode="live"}`, 1)
	c.send(t, map[string]any{"type": "clear", "tile": 3})
	waitSeries(t, admin, `vigil_console_tiles{camera="qh-t-00",mode="live"}`, 1)
	c.ws.Close()
	waitSeries(t, admin, `vigil_console_connections`, 0)
	waitSeries(t, admin, `vigil_console_tiles{camera="qh-t-00",mode="live"}`, -1)
}

// TestMetricsLoginFailures: failed logins are counted by reason, every
// reason exported from the start, and no user name reaches /metrics.
func TestMetricsLoginFailures(t *testing.T) {
	g := startTestGateway(t, oneCameraConfig("rtsp://127.0.0.1:1/none"))
	before := scrape(t, g.admin)
	for _, r := range []string{"bad_credentials", "disabled", "rate_limited", "busy", "error"} {
		if v, ok := before[`vigil_login_failures_total{reason="`+r+`"}`]; !ok || v != 0 {
			t.Errorf("reason %s before any failure: %v (present %v), want 0", r, v, ok)
		}
	}
	for _, name := range []string{"admin", "mallory-probe-7"} {
		resp, _ := g.anon().do("POST", "/api/session", map[string]string{"username": name, "password": "wrong-password"})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("login of %s with a wrong password: %s", name, resp.Status)
		}
	}
	waitSeries(t, g.admin, `vigil_login_failures_total{reason="bad_credentials"}`, 2)
	body := string(g.admin.must(http.StatusOK, "GET", "/metrics", nil, nil))
	if strings.Contains(body, "mallory-probe-7") {
		t.Fatal("a user name tried at login is in /metrics")
	}
}

// TestMetricsExportJobs: an export is counted done when it ends, the
// queue and the running jobs back at 0; a WHEP playback session counts
// as mode playback.
func TestMetricsExportJobs(t *testing.T) {
	g, _ := recordingGateway(t)
	for _, s := range []string{`vigil_export_jobs{status="queued"}`, `vigil_export_jobs{status="running"}`,
		`vigil_export_jobs_finished_total{status="done"}`, `vigil_export_jobs_finished_total{status="failed"}`} {
		waitSeries(t, g.admin, s, 0)
	}
	from := time.Now().Add(500 * time.Millisecond)
	to := from.Add(2 * time.Second)
	waitRecordedUntil(t, g.Gateway, "bjx-t-00", to)
	var job clipJob
	g.admin.must(http.StatusAccepted, "POST", "/api/clips", map[string]string{"camera": "bjx-t-00",
		"from": from.Format(time.RFC3339Nano), "to": to.Format(time.RFC3339Nano), "reason": "metrics test"}, &job)
	if j := waitClip(t, g.admin, job.ID); j.Status != "done" {
		t.Fatalf("export %+v", j)
	}
	waitSeries(t, g.admin, `vigil_export_jobs_finished_total{status="done"}`, 1)
	m := scrape(t, g.admin)
	if m[`vigil_export_jobs{status="queued"}`] != 0 || m[`vigil_export_jobs{status="running"}`] != 0 ||
		m[`vigil_export_jobs_finished_total{status="failed"}`] != 0 {
		t.Fatalf("after one export done: %v", pick(m, "vigil_export_jobs"))
	}

	openWHEP(t, g.URL(), g.admin.token, "bjx-t-00?start="+from.UTC().Format(time.RFC3339Nano))
	waitSeries(t, g.admin, `vigil_whep_sessions{camera="bjx-t-00",mode="playback"}`, 1)
}

// pick returns the series of m whose name starts with prefix, for messages.
func pick(m map[string]float64, prefix string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// TestMetricsAlarmsByState: an alarm is active in vigil_alarms, then
// acknowledged after an ack, open in vigil_alarms_open throughout, and
// gone from both when cleared by recovery.
func TestMetricsAlarmsByState(t *testing.T) {
	rig := startAlarmRig(t, 2, "2s")
	const (
		active = `vigil_alarms{state="active",station="bjx",type="video_loss"}`
		acked  = `vigil_alarms{state="acknowledged",station="bjx",type="video_loss"}`
		open   = `vigil_alarms_open{station="bjx",type="video_loss"}`
	)
	if err := rig.cams.SetFault("cam0", sim.FaultStall); err != nil {
		t.Fatal(err)
	}
	a := rig.admin.waitAlarm("video_loss raised", "camera=bjx-a-00&type=video_loss", isActive)
	waitSeries(t, rig.admin, active, 1)
	waitSeries(t, rig.admin, open, 1)
	rig.admin.must(http.StatusOK, "POST", "/api/alarms/"+a.ID+"/ack", map[string]string{"note": "on it"}, nil)
	waitSeries(t, rig.admin, acked, 1)
	m := scrape(t, rig.admin)
	if _, ok := m[active]; ok || m[open] != 1 {
		t.Fatalf("after the ack: %v", pick(m, "vigil_alarms"))
	}
	rig.cams.SetFault("cam0", sim.FaultNone)
	waitSeries(t, rig.admin, acked, -1)
	waitSeries(t, rig.admin, open, -1)
}

// TestMetricsTranscoders: a viewer that takes only H.264 of an H.265
// camera starts a running video transcoder, counted by kind and state,
// every other state at 0; with no ffmpeg the transcoder counts as
// needs_ffmpeg.
func TestMetricsTranscoders(t *testing.T) {
	needFFmpeg(t)
	base, token := h265Camera(t)
	c := &client{t: t, base: base, token: token, http: httpClient()}
	m := scrape(t, c)
	if v, ok := m[`vigil_transcoders{kind="video-to-h264",state="failed"}`]; !ok || v != 0 {
		t.Fatalf("failed video transcoders before any viewer: %v (present %v), want 0", v, ok)
	}
	v := openWHEPWith(t, base, token, "bjx-nsq-01", webrtctest.Options{Videos: 1})
	frames(t, v, 0, 5, webrtctest.Frame.IsKey)
	waitSeries(t, c, `vigil_transcoders{kind="video-to-h264",state="running"}`, 1)

	srv := startCamera(t, sim.ServerOptions{Width: 320, Height: 180, Configure: func(_ string, o *sim.CameraOptions) {
		o.Codec = media.CodecH265
	}})
	g := startTestGateway(t, oneCameraConfig(srv.URL("cam0"))+"transcode:\n  ffmpeg: /nonexistent/ffmpeg\n")
	waitCameraOnline(t, g.URL(), g.admin.token, "bjx-nsq-01")
	ws := dialConsole(t, g.URL(), g.admin.token, "")
	ws.negotiate(t)
	ws.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01"})
	waitSeries(t, g.admin, `vigil_transcoders{kind="video-to-h264",state="needs_ffmpeg"}`, 1)
}
