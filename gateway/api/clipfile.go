package api

// Serving an evidence clip's bytes (GET /api/clips/{id}/file).
//
// Two rules hold for every request, whole or ranged (Range: bytes=0-,
// bytes=-N, bytes=1-, several ranges): no byte leaves before the file is
// verified against its signed manifest, and every response that carries
// bytes of the file is audited as clip.download, with the range it
// served. A browser or download manager fetching a clip in pieces thus
// leaves one entry per piece; none goes unrecorded.

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// maxVerifiedClips bounds the verification cache; beyond it, it starts
// afresh (a re-verification costs one read of the file).
const maxVerifiedClips = 4096

// handleClipFile serves the MP4 of a done clip. A clip altered on disk is
// refused (409) and the failure audited as clip.verify_failed.
func (s *Server) handleClipFile(w http.ResponseWriter, r *http.Request, u auth.User) {
	c, ok := s.clipOf(w, r, u)
	if !ok {
		return
	}
	path, manifest, err := s.opts.Clips.Files(c)
	if err != nil {
		writeError(w, http.StatusConflict, "the clip is "+c.Status+", not ready for download")
		return
	}
	f, st, ok := s.openClipFile(w, path)
	if !ok {
		return
	}
	defer f.Close()
	if err := s.verifyClip(c, st, path, manifest); err != nil {
		s.log.Error("ALERT: clip fails verification", "id", c.ID, "err", err)
		s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionClipVerifyFailed, Camera: c.Camera,
			Detail: map[string]any{"id": c.ID, "reason": err.Error(), "ip": remoteIP(r), "range": clipRunes(r.Header.Get("Range"), 200)}})
		writeError(w, http.StatusConflict, "the clip no longer matches its signed manifest: it was altered or damaged on disk")
		return
	}
	aw := &auditedWriter{ResponseWriter: w, onBytes: func(status int, h http.Header) {
		if r.Method == http.MethodHead {
			return // no byte of the file goes out
		}
		s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionClipDownload, Camera: c.Camera,
			Detail: downloadDetail(c, r, status, h)})
	}}
	sendClipFile(aw, r, f, st, downloadName(c)+".mp4", "video/mp4")
}

// downloadDetail describes what a download served: the whole file (200)
// or the ranges asked for (206, with the one Content-Range sent back when
// a single range was served).
func downloadDetail(c store.Clip, r *http.Request, status int, h http.Header) map[string]any {
	d := map[string]any{"id": c.ID, "ip": remoteIP(r), "status": status}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
		d["bytes"] = n
	}
	if status == http.StatusPartialContent {
		d["range"] = clipRunes(r.Header.Get("Range"), 200)
		if cr := h.Get("Content-Range"); cr != "" {
			d["content_range"] = cr
		}
	}
	return d
}

// verifyClip checks the clip against its signed manifest unless this very
// version of both files (see fileStamp) passed before. st is the file the
// caller opened and will serve: a verification counts only if the path
// still names that file, unchanged, when it ends.
func (s *Server) verifyClip(c store.Clip, st os.FileInfo, path, manifest string) error {
	before, err := versionOf(st, manifest)
	if err != nil {
		return err
	}
	if s.verified.has(c.ID, before) {
		return nil
	}
	if err := s.opts.Clips.Verify(c); err != nil {
		return err
	}
	now, err := os.Stat(path)
	if err != nil {
		return err
	}
	after, err := versionOf(now, manifest)
	if err != nil {
		return err
	}
	if after != before {
		return errChangedWhileVerified
	}
	s.verified.add(c.ID, before)
	return nil
}

type clipVersion struct{ clip, manifest fileStamp }

func versionOf(clip os.FileInfo, manifest string) (clipVersion, error) {
	m, err := os.Stat(manifest)
	if err != nil {
		return clipVersion{}, err
	}
	return clipVersion{stampOf(clip), stampOf(m)}, nil
}

type clipError string

func (e clipError) Error() string { return string(e) }

const errChangedWhileVerified = clipError("the clip's files changed while they were being verified")

// verifiedClips remembers, per clip, the version of its files that last
// passed verification.
type verifiedClips struct {
	mu sync.Mutex
	ok map[string]clipVersion
}

func (v *verifiedClips) has(id string, ver clipVersion) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	got, ok := v.ok[id]
	return ok && got == ver
}

func (v *verifiedClips) add(id string, ver clipVersion) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ok == nil || len(v.ok) >= maxVerifiedClips {
		v.ok = make(map[string]clipVersion)
	}
	v.ok[id] = ver
}

// auditedWriter calls onBytes once, before the status line goes out, when
// the response is one that carries the file's bytes (200 or 206): not for
// 304, 412 or 416.
type auditedWriter struct {
	http.ResponseWriter
	onBytes     func(status int, h http.Header)
	wroteHeader bool
}

func (w *auditedWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		if status == http.StatusOK || status == http.StatusPartialContent {
			w.onBytes(status, w.Header())
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *auditedWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the server's sendfile path for the file's bytes.
func (w *auditedWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *auditedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
