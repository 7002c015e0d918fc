package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"vigil/gateway/catalog"
	"vigil/gateway/config"
	"vigil/streams/record"
	"vigil/streams/segstore"
)

// Test hooks: the file system recorders write through (a failing disk)
// and the segment length (short segments, so tests need not wait a minute).
var (
	recordFS      func(camera string) record.FS
	recordSegment time.Duration
)

// recording runs one recorder per camera with recording on (main stream)
// and the retention loop over the on-disk index that clip export reads.
type recording struct {
	index   *segstore.Index
	log     *slog.Logger
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	recs    map[string]*record.Recorder
	runners *cameraRunners // a camera is recorded while switched on (owned)
}

// startRecording opens (scans and repairs) the index under <data>/rec
// before any recorder writes, then starts the recorders and retention.
// locked tells retention the evidence locks.
func startRecording(cfg *config.Config, cat *catalog.Catalog, dataDir string, demo bool, locked func() (segstore.Locks, error), log *slog.Logger) (*recording, error) {
	root := filepath.Join(dataDir, "rec")
	idx, err := segstore.Open(segstore.Options{Root: root, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("recordings: %w", err)
	}
	r := &recording{index: idx, log: log, recs: make(map[string]*record.Recorder), runners: newCameraRunners()}
	for _, c := range cat.Cameras() {
		if !c.Record {
			continue
		}
		opts := record.Options{
			CameraID: c.ID, Dir: filepath.Join(root, c.ID), Hub: c.MainHub, AudioHub: c.AudioHub, Logger: log,
			OnState: r.onState, Tracker: idx, SegmentDuration: recordSegment,
		}
		if recordFS != nil {
			opts.FS = recordFS(c.ID)
		}
		rec, err := record.New(opts)
		if err != nil {
			return nil, err
		}
		r.recs[c.ID] = rec
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	ret := retentionOf(cfg.Recording, idx, log)
	ret.Locked = locked
	r.wg.Go(func() { ret.Run(ctx) })
	logLimits(log, cfg.Recording, demo, len(r.recs), root)
	return r, nil
}

// logLimits states what recording keeps, every limit that applies: a
// retention of a week means little when a byte cap deletes after an hour.
func logLimits(log *slog.Logger, rc config.Recording, demo bool, cameras int, root string) {
	attrs := []any{"cameras", cameras, "root", root, "retention", rc.Retention.String(),
		"max_bytes", limitString(rc.MaxBytes), "per_camera_max_bytes", limitString(rc.PerCameraMaxBytes)}
	if demo {
		hours := float64(rc.MaxBytes) / float64(config.DemoRecordingPerHour)
		attrs = append(attrs, "keeps", fmt.Sprintf("the newest %s, about %.0f min of the demo cameras (they record about %s an hour)",
			rc.MaxBytes, hours*60, config.DemoRecordingPerHour))
	} else {
		attrs = append(attrs, "keeps", "segments younger than retention, oldest deleted first when a byte limit is reached")
	}
	log.Info("recording", attrs...)
	if free, err := (record.OSFS{}).FreeBytes(root); err == nil && rc.MaxBytes > 0 && free < int64(rc.MaxBytes) {
		log.Warn("recording: the disk has less free space than max_bytes: it fills first, and recorders pause (disk_full) until retention frees space",
			"free", config.ByteSize(free).String(), "max_bytes", rc.MaxBytes.String())
	}
}

func limitString(b config.ByteSize) string {
	if b == 0 {
		return "none"
	}
	return b.String()
}

func retentionOf(rc config.Recording, idx *segstore.Index, log *slog.Logger) *segstore.Retention {
	return &segstore.Retention{
		Index:         idx,
		Default:       segstore.Limits{MaxAge: time.Duration(rc.Retention), MaxBytes: int64(rc.PerCameraMaxBytes)},
		MaxTotalBytes: int64(rc.MaxBytes),
		Logger:        log,
	}
}

// onState logs state changes; a pause is an alert: evidence is not being
// recorded until the disk is fixed.
func (r *recording) onState(s record.RecState) {
	switch s.State {
	case record.StatePaused:
		r.log.Error("ALERT: recording paused", "camera", s.Camera, "reason", s.Reason, "detail", s.Detail)
	case record.StateRecording:
		r.log.Info("recording", "camera", s.Camera)
	}
}

// State returns a camera's recorder state; false when it is not recorded.
func (r *recording) State(camera string) (record.RecState, bool) {
	if r == nil {
		return record.RecState{}, false
	}
	rec, ok := r.recs[camera]
	if !ok {
		return record.RecState{}, false
	}
	return withDamage(rec.State(), r.index.Damaged()[camera]), true
}

// whyNotRecorded says why camera is not recorded at all, for an export
// that found nothing: recording switched off, or a codec segments cannot
// hold. "" when it is recorded (or this node cannot tell).
func (r *recording) whyNotRecorded(camera string, recordOn bool) string {
	if !recordOn {
		return "recording is switched off for this camera (record: false)"
	}
	st, ok := r.State(camera)
	if ok && st.State == record.StateUnsupported {
		return fmt.Sprintf("its video (%s) cannot be recorded: recordings hold H.264 or H.265 (%s)", st.Detail, st.Reason)
	}
	return ""
}

// states returns every recorder's state.
func (r *recording) states() []record.RecState {
	damage := r.index.Damaged()
	out := make([]record.RecState, 0, len(r.recs))
	for cam, rec := range r.recs {
		out = append(out, withDamage(rec.State(), damage[cam]))
	}
	return out
}

// withDamage adds what start-up repair found to a recorder's state: the
// alarm system raises recording_failed from it.
func withDamage(s record.RecState, d []segstore.Damage) record.RecState {
	s.DamagedSegments = len(d)
	for _, x := range d {
		if x.Found.After(s.LastDamage) {
			s.LastDamage = x.Found
		}
	}
	return s
}

// startAll records every camera with recording on (a single node).
func (r *recording) startAll() {
	for camera := range r.recs {
		r.start(camera)
	}
}

// start records camera, if it is recorded at all; it does not block.
func (r *recording) start(camera string) {
	if rec, ok := r.recs[camera]; ok {
		r.runners.start(camera, rec.Run)
	}
}

// stop stops recording camera (another node owns it now); the recorder
// closes its open segment. It does not block.
func (r *recording) stop(camera string) { r.runners.stop(camera) }

// close stops the recorders, which close (flush) their open segments, and
// the retention loop, and waits for them.
func (r *recording) close() {
	r.runners.close()
	r.cancel()
	r.wg.Wait()
}
