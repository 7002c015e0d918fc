package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
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
	root    string
	log     *slog.Logger
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex // guards recs: a reload adds and removes recorders
	recs    map[string]*record.Recorder
	runners *cameraRunners // a camera is recorded while switched on (owned)
}

// startRecording opens (scans and repairs) the index under <data>/rec
// before any recorder writes, then starts the recorders and retention.
func startRecording(cfg *config.Config, cat *catalog.Catalog, dataDir string, log *slog.Logger) (*recording, error) {
	root := filepath.Join(dataDir, "rec")
	idx, err := segstore.Open(segstore.Options{Root: root, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("recordings: %w", err)
	}
	r := &recording{index: idx, root: root, log: log, recs: make(map[string]*record.Recorder), runners: newCameraRunners()}
	for _, c := range cat.Cameras() {
		if err := r.add(c); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	ret := retentionOf(cfg.Recording, idx, log)
	r.wg.Go(func() { ret.Run(ctx) })
	log.Info("recording", "cameras", len(r.recs), "root", root, "retention", cfg.Recording.Retention.String())
	return r, nil
}

func retentionOf(rc config.Recording, idx *segstore.Index, log *slog.Logger) *segstore.Retention {
	return &segstore.Retention{
		Index:         idx,
		Default:       segstore.Limits{MaxAge: time.Duration(rc.Retention), MaxBytes: int64(rc.PerCameraMaxBytes)},
		MaxTotalBytes: int64(rc.MaxBytes),
		Logger:        log,
	}
}

// add makes camera c's recorder when c is recorded, replacing its
// previous one (which the caller stopped); it does not start it.
func (r *recording) add(c *catalog.Camera) error {
	if !c.Record {
		return nil
	}
	opts := record.Options{
		CameraID: c.ID, Dir: filepath.Join(r.root, c.ID), Hub: c.MainHub, Logger: r.log,
		OnState: r.onState, Tracker: r.index, SegmentDuration: recordSegment,
	}
	if recordFS != nil {
		opts.FS = recordFS(c.ID)
	}
	rec, err := record.New(opts)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.recs[c.ID] = rec
	r.mu.Unlock()
	return nil
}

// remove stops recording camera and forgets its recorder (a reload took
// it out or turned its recording off); the recorder closes its segment.
func (r *recording) remove(camera string) {
	r.stop(camera)
	r.mu.Lock()
	delete(r.recs, camera)
	r.mu.Unlock()
}

// recorder returns camera's recorder, if it is recorded.
func (r *recording) recorder(camera string) (*record.Recorder, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.recs[camera]
	return rec, ok
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
	rec, ok := r.recorder(camera)
	if !ok {
		return record.RecState{}, false
	}
	return withDamage(rec.State(), r.index.Damaged()[camera]), true
}

// states returns every recorder's state.
func (r *recording) states() []record.RecState {
	damage := r.index.Damaged()
	r.mu.Lock()
	defer r.mu.Unlock()
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
	r.mu.Lock()
	cameras := slices.Collect(maps.Keys(r.recs))
	r.mu.Unlock()
	for _, camera := range cameras {
		r.start(camera)
	}
}

// start records camera, if it is recorded at all; it does not block.
func (r *recording) start(camera string) {
	if rec, ok := r.recorder(camera); ok {
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
