package gateway

import (
	"context"
	"time"

	"vigil/gateway/alarms"
	"vigil/gateway/config"
	"vigil/streams/diagnose"
	"vigil/streams/hub"
	"vigil/streams/record"
	"vigil/streams/transcode"
)

// Set by tests (alarmsvc_export_test.go): where the data disk's free
// share is read, and how many looks at a camera's bitrate make its norm
// (0: the detector's default), so a bitrate_drop test needs no 20 s.
var (
	alarmDiskFree  = diskFree
	alarmNormAfter int
)

// alarmService runs the alarm engine, its detector and the video-quality
// diagnosis, and pushes every alarm change to the consoles.
type alarmService struct {
	engine    *alarms.Engine
	detector  *alarms.Detector
	diagnosis *alarms.Diagnosis // nil without ffmpeg or when turned off
	decoder   *diagnose.Decoder // the diagnosis's ffmpeg, kept between rounds
}

func startAlarms(ctx context.Context, g *Gateway, dataDir string) (*alarmService, error) {
	engine, err := alarms.NewEngine(ctx, alarms.Options{Store: g.services.store, Audit: g.services.audit, Logger: g.log})
	if err != nil {
		return nil, err
	}
	a := &alarmService{engine: engine}
	engine.Subscribe(func(al alarms.Alarm) { g.console.server.Broadcast(al.Station, alarmMsg{"alarm", al}) })
	ac := g.cfg.Alarms
	tracker := alarms.NewTracker(engine, alarms.TrackerOptions{Threshold: ac.Threshold, ClearAfter: ac.ClearAfter.Std()})
	cams := func() []alarms.Camera { return g.watchedCameras() }
	a.detector = alarms.StartDetector(tracker, alarms.DetectorOptions{Alarms: ac, NormAfter: alarmNormAfter, Sources: alarms.Sources{
		Cameras:          cams,
		RecordingFailed:  g.recordingFailed,
		TranscoderFailed: g.transcoderFailed,
		DiskFree:         func() (float64, error) { return alarmDiskFree(dataDir) },
		DiskSubject:      g.nodeName(),
		NodesDown:        g.nodesDown,
	}})
	if !anyDiagnosed(g.cfg) {
		return a, nil
	}
	dec, err := diagnose.NewDecoder(diagnose.Options{FFmpeg: g.cfg.Transcode.FFmpeg})
	if err != nil {
		g.log.Warn("video diagnosis off: frozen and black pictures are not detected", "err", err)
		return a, nil
	}
	a.decoder = dec
	a.diagnosis = alarms.StartDiagnosis(tracker, alarms.DiagnosisOptions{Cameras: cams, Decoder: dec, Period: ac.DiagnosisPeriod.Std()})
	return a, nil
}

// alarmMsg is the console's {"type":"alarm","alarm":{…}}: the alarm's
// own "type" field would clash with the message's.
type alarmMsg struct {
	Type  string       `json:"type"`
	Alarm alarms.Alarm `json:"alarm"`
}

func anyDiagnosed(cfg *config.Config) bool {
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			if cfg.Alarms.DiagnosisOn(c.ID) {
				return true
			}
		}
	}
	return false
}

// watchedCameras are the cameras this node pulls: in a cluster, another
// node watches the others.
func (g *Gateway) watchedCameras() []alarms.Camera {
	var out []alarms.Camera
	for _, c := range g.catalog.Cameras() {
		if !g.owns(c.ID) {
			continue
		}
		out = append(out, alarms.Camera{ID: c.ID, Station: c.Station, Main: c.MainHub, Sub: c.SubHub,
			Diagnose: g.cfg.Alarms.DiagnosisOn(c.ID)})
	}
	return out
}

func (g *Gateway) recordingFailed(camera string) (bool, string, time.Time) {
	st, ok := g.recording.State(camera)
	if !ok || st.State != record.StatePaused {
		return false, "", time.Time{}
	}
	return true, st.Reason, st.Since
}

func (g *Gateway) transcoderFailed(camera string) (bool, string, time.Time) {
	c, ok := g.catalog.Camera(camera)
	if !ok {
		return false, "", time.Time{}
	}
	for _, h := range []*hub.Hub{c.MainHub, c.SubHub, c.AudioHub} {
		if h == nil {
			continue
		}
		if tr := c.Transcoder(h); tr != nil {
			if st := tr.State(); st.Phase == transcode.PhaseFailed || st.Phase == transcode.PhaseNeedsFFmpeg {
				return true, string(st.Phase), st.Since
			}
		}
	}
	return false, "", time.Time{}
}

// nodeName names this node in alarms of its own (disk_low).
func (g *Gateway) nodeName() string {
	if g.member != nil {
		return g.member.Name()
	}
	return "local"
}

// nodesDown returns the cluster nodes without a heartbeat, as seen by the
// first live node in name order: one node reports for all, so a node
// down is one alarm, not one per node that noticed.
func (g *Gateway) nodesDown() []string {
	if g.member == nil {
		return nil
	}
	snap := g.member.Snapshot()
	var down []string
	reporter := ""
	for _, n := range snap.Nodes {
		switch n.State {
		case "stale":
			down = append(down, n.Name)
		case "live":
			if reporter == "" || n.Name < reporter {
				reporter = n.Name
			}
		}
	}
	if reporter != g.member.Name() {
		return nil
	}
	return down
}

func (a *alarmService) close() {
	if a == nil {
		return
	}
	if a.diagnosis != nil {
		a.diagnosis.Close()
		a.decoder.Close() // after the last round
	}
	a.detector.Close()
}
