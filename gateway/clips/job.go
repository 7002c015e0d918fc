package clips

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/store"
	"vigil/streams/clip"
	"vigil/streams/evidence"
)

// Progress reporting: consoles hear of every percent at most every
// notifyEvery; the database is written at most every saveEvery.
const (
	notifyEvery = 250 * time.Millisecond
	saveEvery   = time.Second
)

// export runs one queued job to its end, done or failed.
func (s *Service) export(id string) {
	ctx := s.ctx
	c, err := s.opts.Store.GetClip(ctx, id)
	if err != nil {
		s.log.Error("clip job vanished", "id", id, "err", err)
		return
	}
	if c.Status != StatusQueued {
		return
	}
	c.Status = StatusRunning
	s.jobs.started()
	defer s.jobs.stopped()
	s.save(c)
	path := s.clipPath(id)
	res, err := s.exp.Export(ctx, clip.Request{Camera: c.Camera, From: c.From, To: c.To, Path: path,
		Progress: s.progressOf(&c)})
	var m *evidence.Manifest
	if err == nil {
		m, err = s.sign(c, res, path)
	}
	if err != nil {
		os.Remove(path)
		os.Remove(evidence.ManifestPath(path))
		if s.ctx.Err() != nil {
			s.requeue(c)
			return
		}
		s.fail(c, err)
		return
	}
	c.Status, c.Progress, c.Error = StatusDone, 1, ""
	c.Size, c.SHA256, c.Missing = m.Size, m.SHA256, ranges(res.Missing)
	s.save(c)
	s.jobs.finished(StatusDone)
	var missing time.Duration
	for _, m := range res.Missing {
		missing += m.To.Sub(m.From)
	}
	s.opts.Audit.Record(context.Background(), audit.Entry{User: c.Exporter, Action: audit.ActionClipExport, Camera: c.Camera,
		Detail: map[string]any{"id": c.ID, "result": "done", "size": c.Size, "sha256": c.SHA256,
			"missing_s": missing.Seconds(), "tampered_fragments": res.Fragments.Tampered,
			"unhashed_fragments": res.Fragments.Unhashed}})
	s.log.Info("clip exported", "id", c.ID, "camera", c.Camera, "size", c.Size, "frames", res.Frames,
		"missing", len(res.Missing))
	if res.Fragments.Tampered > 0 {
		s.log.Error("ALERT: recording tampered with: the export left out fragments whose hash no longer matched",
			"id", c.ID, "camera", c.Camera, "fragments", res.Fragments.Tampered)
	}
}

// requeue marks a job the gateway's shutdown cut off as queued again: the
// next start of any node on this store exports it from the beginning.
func (s *Service) requeue(c store.Clip) {
	c.Status, c.Progress, c.Error = StatusQueued, 0, ""
	if err := s.opts.Store.UpdateClip(context.Background(), c); err != nil {
		s.log.Error("clip export cut off by the shutdown, and it could not be queued again", "id", c.ID, "err", err)
		return
	}
	s.notify(c)
	s.log.Warn("clip export cut off by the shutdown: queued again for the next start", "id", c.ID, "camera", c.Camera)
}

// sign writes the clip's evidence manifest.
func (s *Service) sign(c store.Clip, res *clip.Result, path string) (*evidence.Manifest, error) {
	m, err := s.opts.Key.Sign(path, evidence.Manifest{
		Camera: c.Camera, Station: s.opts.StationOf(c.Camera),
		From: res.From, To: res.To, Exporter: c.Exporter, Reason: c.Reason,
		ExportedAt: s.opts.Now().UTC(), Missing: gaps(res.Missing),
		Fragments: &evidence.FragmentCheck{Verified: res.Fragments.Verified, Tampered: res.Fragments.Tampered,
			Unhashed: res.Fragments.Unhashed, Damaged: res.Fragments.Damaged},
	})
	if err != nil {
		return nil, err
	}
	return m, evidence.WriteManifest(evidence.ManifestPath(path), m)
}

// fail records a job's failure with a message a dispatcher can act on;
// the details go to the log.
func (s *Service) fail(c store.Clip, err error) {
	c.Status, c.Error = StatusFailed, userError(err)
	s.log.Warn("clip export failed", "id", c.ID, "camera", c.Camera, "err", err)
	s.save(c)
	s.jobs.finished(StatusFailed)
	s.opts.Audit.Record(context.Background(), audit.Entry{User: c.Exporter, Action: audit.ActionClipExport, Camera: c.Camera,
		Detail: map[string]any{"id": c.ID, "result": "failed", "reason": c.Error}})
}

func userError(err error) string {
	switch {
	case errors.Is(err, clip.ErrNoRecording):
		return "no recording in the requested range"
	case errors.Is(err, clip.ErrTooLong), errors.Is(err, clip.ErrEmptyRange), errors.Is(err, clip.ErrFuture):
		return strings.TrimPrefix(err.Error(), "clip: ")
	case errors.Is(err, context.Canceled):
		return "the gateway stopped during the export"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the disk is full"
	}
	return "export failed (the gateway log has the details)"
}

// save writes c's state and tells the exporter. It uses its own context:
// a job ended by shutdown is still recorded.
func (s *Service) save(c store.Clip) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.opts.Store.UpdateClip(ctx, c); err != nil {
		s.log.Error("save clip job", "id", c.ID, "err", err)
	}
	s.notify(c)
}

func (s *Service) notify(c store.Clip) {
	if s.opts.Notify != nil {
		s.opts.Notify(c.Exporter, Update{ID: c.ID, Camera: c.Camera, Status: c.Status, Progress: c.Progress,
			Size: c.Size, Error: c.Error})
	}
}

// progressOf returns the exporter's progress callback for job c.
func (s *Service) progressOf(c *store.Clip) func(float64) {
	var notified, saved time.Time
	last := -1.0
	return func(done float64) {
		now := time.Now()
		c.Progress = done
		if done-last >= 0.01 && now.Sub(notified) >= notifyEvery {
			notified, last = now, done
			s.notify(*c)
		}
		if now.Sub(saved) >= saveEvery {
			saved = now
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := s.opts.Store.UpdateClip(ctx, *c); err != nil {
				s.log.Warn("save clip progress", "id", c.ID, "err", err)
			}
			cancel()
		}
	}
}

func gaps(rs []clip.Range) []evidence.Gap {
	out := make([]evidence.Gap, 0, len(rs))
	for _, r := range rs {
		out = append(out, evidence.Gap{From: r.From, To: r.To, Reason: r.Reason})
	}
	return out
}

func ranges(rs []clip.Range) []store.TimeRange {
	out := make([]store.TimeRange, 0, len(rs))
	for _, r := range rs {
		out = append(out, store.TimeRange{From: r.From, To: r.To})
	}
	return out
}

// recover picks up the jobs of the previous run: queued ones are queued
// again; one that was running when the gateway stopped is failed and its
// files removed (an export is not resumable: it is cheap to ask again).
// Partial files nobody owns are removed too.
func (s *Service) recover(ctx context.Context) error {
	jobs, err := s.opts.Store.ClipsWithStatus(ctx, StatusQueued, StatusRunning)
	if err != nil {
		return err
	}
	for _, c := range jobs {
		if c.Status == StatusQueued {
			s.queue = append(s.queue, c.ID)
			continue
		}
		path := s.clipPath(c.ID)
		os.Remove(path + ".part")
		os.Remove(path)
		os.Remove(evidence.ManifestPath(path))
		c.Status, c.Progress, c.Error = StatusFailed, 0, "the gateway stopped during the export; export it again"
		if err := s.opts.Store.UpdateClip(ctx, c); err != nil {
			return err
		}
		s.opts.Audit.Record(ctx, audit.Entry{User: c.Exporter, Action: audit.ActionClipExport, Camera: c.Camera,
			Detail: map[string]any{"id": c.ID, "result": "failed", "reason": "interrupted by a restart"}})
		s.log.Warn("clip export interrupted by a restart: marked failed", "id", c.ID, "camera", c.Camera)
	}
	parts, _ := filepath.Glob(filepath.Join(s.opts.Dir, "*.part"))
	for _, p := range parts {
		os.Remove(p)
	}
	return nil
}
