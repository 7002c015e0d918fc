package alarms

import (
	"context"
	"fmt"
	"time"

	"vigil/gateway/config"
	"vigil/streams/hub"
)

// Camera is one camera the detector watches: the ones this node pulls.
type Camera struct {
	ID, Station string
	Main        *hub.Hub
	Sub         *hub.Hub // nil without a sub stream
	Diagnose    bool     // look at its pictures (frozen, black)
}

// Sources are what the detector reads each tick. Nil functions are
// conditions this gateway cannot have (no recorder, no cluster).
type Sources struct {
	Cameras func() []Camera
	// RecordingFailed tells whether camera's recorder cannot write, why,
	// and since when: the threshold runs from the failure, not from the
	// look that saw it.
	RecordingFailed func(camera string) (failed bool, reason string, since time.Time)
	// TranscoderFailed tells whether one of camera's transcoders failed,
	// why and since when.
	TranscoderFailed func(camera string) (failed bool, reason string, since time.Time)
	// DiskFree returns the recordings' disk free space in percent.
	DiskFree func() (float64, error)
	// DiskSubject names the disk in its alarm (the node, or "data").
	DiskSubject string
	// NodesDown returns the cluster nodes that are down, when this node
	// is the one to tell (one node reports for all).
	NodesDown func() []string
}

// DetectorOptions configure a detector; zero values take the defaults.
type DetectorOptions struct {
	Sources Sources
	Alarms  config.Alarms
	// Interval between looks at the cameras. Default 1 s.
	Interval time.Duration
	// FrameGap is the time without a frame after which a connected
	// camera counts as losing video (the video_loss threshold runs from
	// the last frame). Default 1 s.
	FrameGap time.Duration
	// NormAfter is how many looks at a camera's bitrate make its norm,
	// before which no bitrate_drop is judged. Default 20.
	NormAfter int
}

// Detector watches the cameras, recorders, transcoders, the disk and the
// cluster and reports conditions to a Tracker, from one goroutine.
type Detector struct {
	opts    DetectorOptions
	tracker *Tracker
	cams    map[string]*cameraWatch
	nodes   map[string]bool // nodes reported down last time
	cancel  context.CancelFunc
	done    chan struct{}
}

// cameraWatch is what the detector remembers of a camera between looks.
type cameraWatch struct {
	down        bool
	downSince   time.Time
	reason      string // why it is down, kept while it tries again
	outages     uint64
	lastFrameAt time.Time
	norm        float64 // bit/s, a slow average while not dropped
	normLooks   int
}

// StartDetector starts watching; Close stops it.
func StartDetector(t *Tracker, o DetectorOptions) *Detector {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.FrameGap <= 0 {
		o.FrameGap = time.Second
	}
	if o.NormAfter <= 0 {
		o.NormAfter = 20
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Detector{opts: o, tracker: t, cams: map[string]*cameraWatch{}, nodes: map[string]bool{},
		cancel: cancel, done: make(chan struct{})}
	go d.run(ctx)
	return d
}

// Close stops the detector and waits for it.
func (d *Detector) Close() {
	d.cancel()
	<-d.done
}

func (d *Detector) run(ctx context.Context) {
	defer close(d.done)
	t := time.NewTicker(d.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.look(ctx, d.tracker.engine.opts.Now())
		}
	}
}

// look checks everything once.
func (d *Detector) look(ctx context.Context, now time.Time) {
	src := d.opts.Sources
	if src.Cameras != nil {
		for _, c := range src.Cameras() {
			d.camera(ctx, now, c)
		}
	}
	d.disk(ctx, now)
	d.nodesDown(ctx, now)
}

// report tells the tracker whether cond holds.
func (d *Detector) report(ctx context.Context, now time.Time, cond Condition, present bool, since time.Time, starts int) {
	if present {
		d.tracker.Present(ctx, now, cond, since, starts)
	} else {
		d.tracker.Absent(ctx, now, cond, starts)
	}
}

func (d *Detector) camera(ctx context.Context, now time.Time, c Camera) {
	w, ok := d.cams[c.ID]
	if !ok {
		w = &cameraWatch{}
		d.cams[c.ID] = w
	}
	st, stats := c.Main.Status(), c.Main.Stats()
	cond := func(typ, detail string) Condition {
		return Condition{Type: typ, Camera: c.ID, Station: c.Station, Detail: detail}
	}
	online := st.State == hub.StateOnline

	// camera_offline, with the drops that came and went between looks.
	unseen := int(stats.Outages - w.outages)
	if !w.down && !online && unseen > 0 {
		unseen-- // the drop that is under way now
	}
	if !online && !w.down {
		w.downSince = st.Since
	}
	w.down, w.outages = !online, stats.Outages
	if st.State == hub.StateOffline || w.reason == "" {
		w.reason = offlineDetail(st) // "connecting" says less than the last failure
	}
	if online {
		w.reason = ""
	}
	d.report(ctx, now, cond(config.AlarmCameraOffline, w.reason), !online, w.downSince, unseen)

	// video_loss: connected, no frames, since the last frame (or since it
	// connected, when none came).
	w.lastFrameAt = stats.LastFrame
	if online && w.lastFrameAt.Before(st.Since) {
		w.lastFrameAt = st.Since
	}
	lost := online && now.Sub(w.lastFrameAt) >= d.opts.FrameGap
	d.report(ctx, now, cond(config.AlarmVideoLoss, "no frames"), lost, w.lastFrameAt, 0)

	d.bitrate(ctx, now, c, w, online && !lost, stats.Bitrate)
	if f := d.opts.Sources.RecordingFailed; f != nil {
		failed, why, since := f(c.ID)
		d.report(ctx, now, cond(config.AlarmRecordingFailed, why), failed, since, 0)
	}
	if f := d.opts.Sources.TranscoderFailed; f != nil {
		failed, why, since := f(c.ID)
		d.report(ctx, now, cond(config.AlarmTranscoderFailed, why), failed, since, 0)
	}
}

func offlineDetail(st hub.Status) string {
	switch {
	case st.State == hub.StateOnline:
		return ""
	case st.Reason == "":
		return string(st.State)
	case st.Message != "":
		return st.Reason + ": " + st.Message
	}
	return st.Reason
}

// bitrate judges a camera against its own norm, a slow average of its
// bitrate kept while it is not dropped.
func (d *Detector) bitrate(ctx context.Context, now time.Time, c Camera, w *cameraWatch, flowing bool, bps float64) {
	share := d.opts.Alarms.BitrateDropShare
	if share <= 0 {
		share = config.DefaultBitrateDropShare
	}
	dropped := flowing && w.normLooks >= d.opts.NormAfter && bps < share*w.norm
	if flowing && !dropped && bps > 0 {
		if w.normLooks == 0 {
			w.norm = bps
		}
		w.norm += (bps - w.norm) / float64(min(w.normLooks+1, 60))
		w.normLooks++
	}
	detail := fmt.Sprintf("%.0f kb/s, norm %.0f kb/s", bps/1000, w.norm/1000)
	d.report(ctx, now, Condition{Type: config.AlarmBitrateDrop, Camera: c.ID, Station: c.Station, Detail: detail},
		dropped, time.Time{}, 0)
}

func (d *Detector) disk(ctx context.Context, now time.Time) {
	f := d.opts.Sources.DiskFree
	if f == nil {
		return
	}
	free, err := f()
	if err != nil {
		return // unknown is not low
	}
	limit := d.opts.Alarms.DiskLowPercent
	if limit <= 0 {
		limit = config.DefaultDiskLowPercent
	}
	c := Condition{Type: config.AlarmDiskLow, Subject: d.opts.Sources.DiskSubject, Detail: fmt.Sprintf("%.1f%% free", free)}
	d.report(ctx, now, c, free < limit, time.Time{}, 0)
}

func (d *Detector) nodesDown(ctx context.Context, now time.Time) {
	f := d.opts.Sources.NodesDown
	if f == nil {
		return
	}
	down := map[string]bool{}
	for _, n := range f() {
		down[n] = true
	}
	for n := range d.nodes {
		if !down[n] {
			d.report(ctx, now, Condition{Type: config.AlarmNodeDown, Subject: n}, false, time.Time{}, 0)
		}
	}
	for n := range down {
		d.report(ctx, now, Condition{Type: config.AlarmNodeDown, Subject: n, Detail: "no heartbeat"}, true, time.Time{}, 0)
	}
	for n := range d.nodes { // forget a node once its alarm has cleared
		if !down[n] && !d.tracker.watching(Condition{Type: config.AlarmNodeDown, Subject: n}) {
			delete(d.nodes, n)
		}
	}
	for n := range down {
		d.nodes[n] = true
	}
}
