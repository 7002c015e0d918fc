package gateway

import (
	"github.com/prometheus/client_golang/prometheus"

	"vigil/gateway/api"
	"vigil/gateway/catalog"
	"vigil/gateway/clips"
	"vigil/gateway/signal"
	"vigil/streams/hub"
	"vigil/streams/transcode"
)

// usage is where operatorCollector reads what the gateway serves now.
// Each is called at scrape time; a nil one exports nothing.
type usage struct {
	catalog  *catalog.Catalog
	whep     func() map[api.WHEPView]int
	tiles    func() map[signal.TileView]int
	consoles func() int
	jobs     func() (clips.Jobs, bool) // false: exports are off
	logins   func() map[string]uint64
}

// operatorCollector exports what operators alert on: viewers by camera,
// consoles, transcoders, export jobs and login failures. It reads the
// services' own counts at scrape time, so no serving path carries metrics
// code.
type operatorCollector struct {
	u usage

	cameraInfo, whep, tiles, consoles, transcoders, jobs, jobsFinished, logins *prometheus.Desc
}

func newOperatorCollector(u usage) *operatorCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_"+name, help, labels, nil)
	}
	return &operatorCollector{u: u,
		cameraInfo: d("camera_info", "1 for each camera, naming its station: join on camera to count by station "+
			"(sum by (station) (vigil_stream_up * on (camera) group_left (station) vigil_camera_info)).", "camera", "station"),
		whep:         d("whep_sessions", "Open WHEP sessions by camera and mode (live, playback).", "camera", "mode"),
		tiles:        d("console_tiles", "Console and video-wall tiles showing a camera, by camera and mode (live, playback).", "camera", "mode"),
		consoles:     d("console_connections", "Open console WebSocket connections (video walls included)."),
		transcoders:  d("transcoders", "Live transcoders by kind and state (idle, starting, running, restarting, needs_ffmpeg, failed).", "kind", "state"),
		jobs:         d("export_jobs", "Clip export jobs now, by status (queued, running).", "status"),
		jobsFinished: d("export_jobs_finished_total", "Clip export jobs ended since start, by status (done, failed).", "status"),
		logins:       d("login_failures_total", "Failed logins since start, by reason (bad_credentials, disabled, rate_limited, busy, error).", "reason"),
	}
}

func (c *operatorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.cameraInfo, c.whep, c.tiles, c.consoles, c.transcoders, c.jobs, c.jobsFinished, c.logins} {
		ch <- d
	}
}

func (c *operatorCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if c.u.catalog != nil {
		for _, cam := range c.u.catalog.Cameras() {
			gauge(c.cameraInfo, 1, cam.ID, cam.Station)
		}
	}
	if c.u.whep != nil {
		for k, n := range c.u.whep() {
			gauge(c.whep, float64(n), k.Camera, k.Mode)
		}
	}
	if c.u.tiles != nil {
		for k, n := range c.u.tiles() {
			gauge(c.tiles, float64(n), k.Camera, k.Mode)
		}
	}
	if c.u.consoles != nil {
		gauge(c.consoles, float64(c.u.consoles()))
	}
	c.collectTranscoders(gauge)
	if c.u.jobs != nil {
		if j, on := c.u.jobs(); on {
			gauge(c.jobs, float64(j.Queued), clips.StatusQueued)
			gauge(c.jobs, float64(j.Running), clips.StatusRunning)
			ch <- prometheus.MustNewConstMetric(c.jobsFinished, prometheus.CounterValue, float64(j.Done), clips.StatusDone)
			ch <- prometheus.MustNewConstMetric(c.jobsFinished, prometheus.CounterValue, float64(j.Failed), clips.StatusFailed)
		}
	}
	if c.u.logins != nil {
		for reason, n := range c.u.logins() {
			ch <- prometheus.MustNewConstMetric(c.logins, prometheus.CounterValue, float64(n), reason)
		}
	}
}

// transcoderPhases are every state a transcoder reports, each exported (0
// when none) so that an alert on failed ones sees 0 before the first.
var transcoderPhases = []transcode.Phase{transcode.PhaseIdle, transcode.PhaseStarting, transcode.PhaseRunning,
	transcode.PhaseRestarting, transcode.PhaseNeedsFFmpeg, transcode.PhaseFailed}

// collectTranscoders counts the cameras' live transcoders (made on first
// use) by kind and state. A playback session's own transcoders are not
// counted: they live as long as the session.
func (c *operatorCollector) collectTranscoders(gauge func(*prometheus.Desc, float64, ...string)) {
	if c.u.catalog == nil {
		return
	}
	counts := map[[2]string]int{}
	for _, k := range []transcode.Kind{transcode.VideoToH264, transcode.AudioToOpus} {
		for _, p := range transcoderPhases {
			counts[[2]string{k.String(), string(p)}] = 0
		}
	}
	for _, cam := range c.u.catalog.Cameras() {
		for _, h := range []*hub.Hub{cam.MainHub, cam.SubHub, cam.AudioHub} {
			if h == nil {
				continue
			}
			if tr := cam.Transcoder(h); tr != nil {
				counts[[2]string{tr.Kind().String(), string(tr.State().Phase)}]++
			}
		}
	}
	for k, n := range counts {
		gauge(c.transcoders, float64(n), k[0], k[1])
	}
}

// usage returns where the gateway's operatorCollector reads. The API
// server is looked up at scrape time: the registry is made before it.
func (g *Gateway) usage() usage {
	u := usage{catalog: g.catalog,
		whep:   func() map[api.WHEPView]int { return g.api.WHEPSessions() },
		logins: func() map[string]uint64 { return g.api.LoginFailures() },
		jobs: func() (clips.Jobs, bool) {
			if g.clips == nil {
				return clips.Jobs{}, false
			}
			return g.clips.Jobs(), true
		},
	}
	if g.console != nil && g.console.server != nil {
		u.tiles, u.consoles = g.console.server.TilesShowing, g.console.server.Conns
	}
	return u
}
