package api

// Incident clip export (DESIGN.md "HTTP surface", "Files").
//
// Who sees which clips: dispatchers (who may export) see and download only
// their own exports; operators and admins see everyone's, limited like all
// else to the cameras of their stations. A clip the user may not see
// answers exactly like one that does not exist (404), as does any id that
// is not of the form the gateway generates (path tricks never reach the
// file system).
//
// Status codes of POST /api/clips: 202 and the job; 400 for malformed
// JSON or times, a missing or too long reason, to not after from, a range
// before 2000 or beyond a day from now, from in the future, or a range
// longer than recording.max_clip; 404 for an unknown camera or one outside
// the user's stations; 422 when nothing was recorded in the range (a range
// only partly recorded is exported: the job lists what is missing); 503
// when too many exports are waiting. Nothing is stored unless 202.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/clips"
	"vigil/gateway/store"
	"vigil/internal/ids"
)

// ClipService runs exports; *clips.Service implements it.
type ClipService interface {
	Start(ctx context.Context, req clips.Request) (store.Clip, error)
	Get(ctx context.Context, id string) (store.Clip, error)
	List(ctx context.Context, exporter string, limit int) ([]store.Clip, error)
	Files(c store.Clip) (mp4, manifest string, err error)
	Verify(c store.Clip) error
}

func (s *Server) clipRoutes() []Route {
	return []Route{
		{"POST", "/api/clips", authz.ActionExportClips, s.unlessDraining(s.audited(s.handleCreateClip))},
		{"GET", "/api/clips", authz.ActionExportClips, s.handleListClips},
		{"GET", "/api/clips/{id}", authz.ActionExportClips, s.handleGetClip},
		{"GET", "/api/clips/{id}/file", authz.ActionExportClips, s.audited(s.handleClipFile)},
		{"GET", "/api/clips/{id}/manifest", authz.ActionExportClips, s.handleClipManifest},
	}
}

// clipJSON is a job as the API shows it.
type clipJSON struct {
	ID       string      `json:"id"`
	Camera   string      `json:"camera"`
	Station  string      `json:"station"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	Reason   string      `json:"reason"`
	Exporter string      `json:"exporter"`
	Status   string      `json:"status"`
	Progress float64     `json:"progress"`
	Size     int64       `json:"size"`
	SHA256   string      `json:"sha256"`
	Error    string      `json:"error"`
	Missing  []rangeJSON `json:"missing"`
	Created  string      `json:"created_at"`
	File     string      `json:"file,omitempty"`     // the MP4's URL, once done
	Manifest string      `json:"manifest,omitempty"` // the manifest's URL, once done
}

type rangeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (s *Server) toClipJSON(c store.Clip) clipJSON {
	j := clipJSON{ID: c.ID, Camera: c.Camera, From: rfc3339ms(c.From), To: rfc3339ms(c.To), Reason: c.Reason,
		Exporter: c.Exporter, Status: c.Status, Progress: c.Progress, Size: c.Size, SHA256: c.SHA256,
		Error: c.Error, Missing: []rangeJSON{}, Created: rfc3339ms(c.CreatedAt)}
	if cam, ok := s.opts.Catalog.Camera(c.Camera); ok {
		j.Station = cam.Station
	}
	for _, m := range c.Missing {
		j.Missing = append(j.Missing, rangeJSON{rfc3339ms(m.From), rfc3339ms(m.To)})
	}
	if c.Status == clips.StatusDone {
		j.File, j.Manifest = "/api/clips/"+c.ID+"/file", "/api/clips/"+c.ID+"/manifest"
	}
	return j
}

func rfc3339ms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (s *Server) handleCreateClip(w http.ResponseWriter, r *http.Request, u auth.User) {
	req, err := readClipRequest(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, ok := s.visibleCamera(u, req.Camera); !ids.Valid(req.Camera) || !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	req.Exporter, req.IP = u.Name, remoteIP(r)
	c, err := s.opts.Clips.Start(r.Context(), req)
	switch {
	case errors.Is(err, clips.ErrInvalid):
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), clips.ErrInvalid.Error()+": "))
	case errors.Is(err, clips.ErrNoRecording):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, clips.ErrBusy):
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		s.log.Error("start clip export", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	default:
		w.Header().Set("Location", "/api/clips/"+c.ID)
		writeJSON(w, http.StatusAccepted, s.toClipJSON(c))
	}
}

// mayAccess reports whether u may see clip c: its camera must be visible,
// and below operator it must be u's own export.
func (s *Server) mayAccess(u auth.User, c store.Clip) bool {
	if _, ok := s.visibleCamera(u, c.Camera); !ok {
		return false
	}
	return c.Exporter == u.Name || u.Role.AtLeast(auth.RoleOperator)
}

func (s *Server) handleListClips(w http.ResponseWriter, r *http.Request, u auth.User) {
	exporter := u.Name
	if u.Role.AtLeast(auth.RoleOperator) {
		exporter = ""
	}
	list, err := s.opts.Clips.List(r.Context(), exporter, 200)
	if err != nil {
		s.log.Error("list clips", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	out := []clipJSON{}
	for _, c := range list {
		if s.mayAccess(u, c) {
			out = append(out, s.toClipJSON(c))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"clips": out})
}

// clipOf finds the clip of the request's {id} that u may see, or answers
// 404 itself.
func (s *Server) clipOf(w http.ResponseWriter, r *http.Request, u auth.User) (store.Clip, bool) {
	c, err := s.opts.Clips.Get(r.Context(), r.PathValue("id"))
	if err == nil && !s.mayAccess(u, c) {
		err = clips.ErrNotFound
	}
	switch {
	case errors.Is(err, clips.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such clip")
		return store.Clip{}, false
	case err != nil:
		s.log.Error("get clip", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
		return store.Clip{}, false
	}
	return c, true
}

func (s *Server) handleGetClip(w http.ResponseWriter, r *http.Request, u auth.User) {
	if c, ok := s.clipOf(w, r, u); ok {
		writeJSON(w, http.StatusOK, s.toClipJSON(c))
	}
}

func (s *Server) handleClipManifest(w http.ResponseWriter, r *http.Request, u auth.User) {
	c, ok := s.clipOf(w, r, u)
	if !ok {
		return
	}
	_, path, err := s.opts.Clips.Files(c)
	if err != nil {
		writeError(w, http.StatusConflict, fmt.Sprintf("the clip is %s, not ready for download", c.Status))
		return
	}
	s.serveClipFile(w, r, path, downloadName(c)+".manifest.json", "application/json")
}

func (s *Server) serveClipFile(w http.ResponseWriter, r *http.Request, path, name, ctype string) {
	f, st, ok := s.openClipFile(w, path)
	if !ok {
		return
	}
	defer f.Close()
	sendClipFile(w, r, f, st, name, ctype)
}

// openClipFile opens one of a clip's files, or answers itself.
func (s *Server) openClipFile(w http.ResponseWriter, path string) (*os.File, os.FileInfo, bool) {
	f, err := os.Open(path)
	if err != nil {
		s.log.Error("open clip file", "err", err)
		writeError(w, http.StatusGone, "the clip's file is missing on the gateway")
		return nil, nil, false
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		writeError(w, http.StatusInternalServerError, "internal error")
		return nil, nil, false
	}
	return f, st, true
}

// sendClipFile answers with f as an attachment (ranges supported).
func sendClipFile(w http.ResponseWriter, r *http.Request, f *os.File, st os.FileInfo, name, ctype string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// downloadName is the file name offered: camera, start time and the id's
// first digits, the same stem for the clip and its manifest so that
// `vigil verify` finds the manifest beside the clip.
func downloadName(c store.Clip) string {
	return fmt.Sprintf("vigil-%s-%s-%s", c.Camera, c.From.UTC().Format("20060102T150405Z"), c.ID[:8])
}
