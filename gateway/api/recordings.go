package api

// Recordings for tools (DESIGN.md "Recordings and playback"):
//
//   - GET /api/recordings/{camera}?from=&to= → {"spans":[{"from","to"}],
//     "bookmarks":[…as GET /api/bookmarks]}, RFC 3339, default the last 24 h; 400 for a bad
//     time, 404 for a camera the user may not see.
//   - GET /api/recordings/{camera}/mp4?start=&duration=SECONDS → a playable
//     MP4 of the range (clip export's remux), Range supported; 400 for a
//     bad start or duration, 404 for a hidden camera, 422 when nothing is
//     recorded in the range. Every response carrying bytes is audited as a
//     download (clip.download with "source":"recordings").

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/streams/clip"
)

// maxRecordingMP4 bounds one MP4 download: longer ranges are exports
// (POST /api/clips), with a manifest and a signature.
const maxRecordingMP4 = time.Hour

func (s *Server) recordingRoutes() []Route {
	return []Route{
		{"GET", "/api/recordings/{camera}", authz.ActionView, s.handleRecordings},
		{"GET", "/api/recordings/{camera}/mp4", authz.ActionExportClips, s.audited(s.handleRecordingMP4)},
	}
}

type spanJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (s *Server) handleRecordings(w http.ResponseWriter, r *http.Request, u auth.User) {
	cam, ok := s.visibleCamera(u, r.PathValue("camera"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	to, err := queryTime(r, "to", time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	from, err := queryTime(r, "from", to.Add(-24*time.Hour))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !to.After(from) {
		writeError(w, http.StatusBadRequest, "to must be after from")
		return
	}
	out := struct {
		Spans     []spanJSON     `json:"spans"`
		Bookmarks []bookmarkJSON `json:"bookmarks"`
	}{Spans: []spanJSON{}}
	if out.Bookmarks, err = s.CameraBookmarks(r.Context(), cam.ID, from, to); err != nil {
		s.internalError(w, "recording bookmarks", err)
		return
	}
	if s.opts.Recordings != nil {
		spans, err := s.opts.Recordings.Spans(r.Context(), cam.ID, from, to)
		if err != nil {
			s.log.Error("recording spans", "camera", cam.ID, "err", err)
			writeError(w, http.StatusServiceUnavailable, "the recording index cannot be read")
			return
		}
		for _, sp := range spans {
			out.Spans = append(out.Spans, spanJSON{sp.Start.UTC().Format(time.RFC3339Nano), sp.End.UTC().Format(time.RFC3339Nano)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// queryTime reads an RFC 3339 query parameter, def when absent.
func queryTime(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 time", name)
	}
	return t, nil
}

func (s *Server) handleRecordingMP4(w http.ResponseWriter, r *http.Request, u auth.User) {
	cam, ok := s.visibleCamera(u, r.PathValue("camera"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	start, end, err := parseMP4Range(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if s.opts.Recordings == nil {
		writeError(w, http.StatusUnprocessableEntity, "nothing recorded in this range")
		return
	}
	f, ok := s.exportRange(w, r, cam.ID, start, end)
	if !ok {
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not read the export")
		return
	}
	aw := &auditedWriter{ResponseWriter: w, onBytes: func(status int, h http.Header) {
		if r.Method == http.MethodHead {
			return
		}
		d := map[string]any{"source": "recordings", "start": start.UTC().Format(time.RFC3339Nano), "duration_s": end.Sub(start).Seconds(),
			"ip": remoteIP(r), "status": status}
		if status == http.StatusPartialContent {
			d["range"] = clipRunes(r.Header.Get("Range"), 200)
		}
		s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionClipDownload, Camera: cam.ID, Detail: d})
	}}
	name := fmt.Sprintf("vigil-%s-%s.mp4", cam.ID, start.UTC().Format("20060102T150405Z"))
	sendClipFile(aw, r, f, st, name, "video/mp4")
}

// parseMP4Range reads ?start=RFC3339&duration=SECONDS (more than 0, at
// most maxRecordingMP4).
func parseMP4Range(q url.Values) (start, end time.Time, err error) {
	if start, err = time.Parse(time.RFC3339Nano, q.Get("start")); err != nil {
		return start, end, errors.New("start must be an RFC 3339 time")
	}
	secs, err := strconv.ParseFloat(q.Get("duration"), 64)
	if err != nil || !(secs > 0) || secs > maxRecordingMP4.Seconds() {
		return start, end, errors.New("duration must be more than 0 and at most 3600 seconds")
	}
	return start, start.Add(time.Duration(secs * float64(time.Second))), nil
}

// exportRange writes the range to a temporary file and returns it open;
// the file is already unlinked, so it goes away when closed.
func (s *Server) exportRange(w http.ResponseWriter, r *http.Request, camera string, from, to time.Time) (*os.File, bool) {
	dir, err := os.MkdirTemp("", "vigil-rec-")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not export")
		return nil, false
	}
	defer os.RemoveAll(dir)
	path := dir + "/range.mp4"
	err = s.opts.Recordings.ExportMP4(r.Context(), camera, from, to, path)
	switch {
	case errors.Is(err, clip.ErrNoRecording):
		writeError(w, http.StatusUnprocessableEntity, "nothing recorded in this range")
		return nil, false
	case errors.Is(err, clip.ErrFuture), errors.Is(err, clip.ErrEmptyRange), errors.Is(err, clip.ErrTooLong):
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, false
	case err != nil:
		s.log.Error("recording mp4", "camera", camera, "err", err)
		writeError(w, http.StatusInternalServerError, "could not export")
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "could not export")
		return nil, false
	}
	return f, true
}
