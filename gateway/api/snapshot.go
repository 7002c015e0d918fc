package api

// Snapshots: GET /api/cameras/{id}/snapshot[?t=RFC3339] answers a JPEG of
// the live picture, or of the recorded picture at t. 404 for a camera the
// user may not see; 400 for a bad or future t; 422 when nothing is
// recorded at t; 503 when there is no live picture yet, too many stills
// are being made, or the gateway has no ffmpeg. Each still handed out is audited.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/streams/snapshot"
)

// Snapshots makes stills of a camera; the gateway implements it.
type Snapshots interface {
	Live(ctx context.Context, camera string) ([]byte, error)
	At(ctx context.Context, camera string, t time.Time) ([]byte, error)
}

func (s *Server) snapshotRoutes() []Route {
	return []Route{
		{"GET", "/api/cameras/{id}/snapshot", authz.ActionView, s.audited(s.handleSnapshot)},
	}
}

func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request, u auth.User) {
	cam, ok := s.visibleCamera(u, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	at, err := parseTimeParam(r.URL.Query(), "t")
	if err == nil && at.After(time.Now()) {
		err = errors.New("t is in the future")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var jpeg []byte
	if at.IsZero() {
		jpeg, err = s.opts.Snapshots.Live(r.Context(), cam.ID)
	} else {
		jpeg, err = s.opts.Snapshots.At(r.Context(), cam.ID, at)
	}
	if err != nil {
		s.snapshotError(w, cam.ID, err)
		return
	}
	when := "live"
	if !at.IsZero() {
		when = rfc3339ms(at)
	}
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionSnapshot, Camera: cam.ID,
		Detail: map[string]any{"t": when, "ip": remoteIP(r)}})
	stamp := time.Now()
	if !at.IsZero() {
		stamp = at
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vigil-%s-%s.jpg"`, cam.ID,
		stamp.UTC().Format("20060102T150405.000Z")))
	w.WriteHeader(http.StatusOK)
	w.Write(jpeg)
}

func (s *Server) snapshotError(w http.ResponseWriter, camera string, err error) {
	switch {
	case errors.Is(err, snapshot.ErrNoRecording):
		writeError(w, http.StatusUnprocessableEntity, "nothing recorded at that time")
	case errors.Is(err, snapshot.ErrNoPicture):
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusServiceUnavailable, "no picture from the camera yet")
	case errors.Is(err, snapshot.ErrNeedsFFmpeg):
		writeError(w, http.StatusServiceUnavailable, "snapshots need ffmpeg on the gateway")
	case errors.Is(err, snapshot.ErrBusy):
		w.Header().Set("Retry-After", "2")
		writeError(w, http.StatusServiceUnavailable, "too many snapshots at once; try again")
	default:
		s.log.Error("snapshot", "camera", camera, "err", err)
		writeError(w, http.StatusInternalServerError, "the snapshot failed; see the gateway log")
	}
}
