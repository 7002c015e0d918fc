package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"sync"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/streams/webrtc"
)

// maxSDPBody bounds a WHEP offer; real offers are a few kilobytes.
const maxSDPBody = 64 << 10

type whepSession struct {
	id      string
	token   string // the credential it was opened with, re-checked (whep_recheck.go)
	user    string
	camera  string
	started time.Time
	session *webrtc.Session
	release func() // gives the user's slot back, once

	// stop ends what feeds a playback session (nil: live); detail is
	// what its view.start records beside the usual fields.
	stop   func()
	detail map[string]any

	mu              sync.Mutex
	viewing, closed bool // view.start recorded; the session has ended
}

// handleWHEPOffer answers a WHEP offer (RFC 9725): one recvonly video
// track fed by the camera's hub. A camera that is down is accepted: the
// viewer starts playing when it returns. An offer refused (400, 413, 415,
// 429, 500) starts no view and so records no view.end.
func (s *Server) handleWHEPOffer(w http.ResponseWriter, r *http.Request, u auth.User) {
	cam, quality, offer, ok := s.readWHEPOffer(w, r, u)
	if !ok {
		return
	}
	play, err := parsePlay(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if max := s.opts.MaxWHEPPerUser; !s.whepSlots.take(u.Name, max) {
		tooMany(w, "WHEP sessions", max)
		return
	}
	ws := &whepSession{id: newID(), token: requestToken(r), user: u.Name, camera: cam.ID, started: time.Now(),
		release: sync.OnceFunc(func() { s.whepSlots.give(u.Name) }), detail: playDetail(play)}
	video, sound := cam.Video(quality), cam.Audio()
	if play != nil {
		if video, sound, ws.stop, ok = s.startPlay(w, cam, play); !ok {
			ws.release()
			return
		}
	}
	sess, answer, err := s.opts.WebRTC.NewSession(r.Context(), webrtc.SessionOptions{
		Offer: offer, OnClose: func() { s.whepEnded(ws) },
	})
	if err != nil {
		ws.release()
		if ws.stop != nil {
			ws.stop()
		}
		if errors.Is(err, webrtc.ErrBadOffer) {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.log.Error("whep session", "camera", cam.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "could not start the WebRTC session")
		return
	}
	ws.session = sess
	if !s.beginView(ws, r, quality) {
		writeError(w, http.StatusInternalServerError, "the WebRTC session ended while it was set up")
		return
	}
	s.startWHEPRecheck()
	sess.Feed(0).AttachStream(video)
	if a := sess.Audio(0); a != nil && sound != nil {
		a.AttachStream(sound)
	}
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/api/whep/"+cam.ID+"/"+ws.id)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// readWHEPOffer checks the camera, quality and body of an offer, or
// answers itself.
func (s *Server) readWHEPOffer(w http.ResponseWriter, r *http.Request, u auth.User) (*catalog.Camera, catalog.Quality, string, bool) {
	cam, ok := s.visibleCamera(u, r.PathValue("camera"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return nil, "", "", false
	}
	quality := catalog.Quality(r.URL.Query().Get("quality"))
	if quality == "" {
		quality = catalog.Main
	}
	if quality != catalog.Main && quality != catalog.Sub {
		writeError(w, http.StatusBadRequest, "quality must be main or sub")
		return nil, "", "", false
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/sdp" {
		writeError(w, http.StatusUnsupportedMediaType, "offer must be application/sdp")
		return nil, "", "", false
	}
	offer, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSDPBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "offer too large")
		return nil, "", "", false
	}
	return cam, quality, string(offer), true
}

// beginView makes a negotiated session a view: listed, and view.start
// recorded, unless the session has already ended.
func (s *Server) beginView(ws *whepSession, r *http.Request, quality catalog.Quality) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.closed {
		return false
	}
	ws.viewing = true
	s.whep.add(ws)
	s.log.Info("view started", "user", ws.user, "camera", ws.camera, "via", "whep", "session", ws.id, "playback", ws.stop != nil)
	detail := map[string]any{"via": "whep", "session": ws.id, "quality": string(quality), "ip": remoteIP(r)}
	maps.Copy(detail, ws.detail)
	s.record(r.Context(), audit.Entry{User: ws.user, Action: audit.ActionViewStart, Camera: ws.camera, Time: ws.started,
		Detail: detail})
	return true
}

// whepEnded is the session's OnClose: the slot is given back, and a view
// that started is recorded as ended. The session leaves the list last: a
// Close meanwhile (closeAll) finds it and waits for this to end, as
// Session.Close waits for a close already under way. Left first, a
// session ended by its viewer just before the gateway closed would record
// its view.end (after a playback's stop, ffmpeg's exit) once the audit
// log had closed.
func (s *Server) whepEnded(ws *whepSession) {
	defer s.whep.remove(ws.id)
	ws.mu.Lock()
	ws.closed = true
	viewing := ws.viewing
	ws.mu.Unlock()
	ws.release()
	if ws.stop != nil {
		ws.stop()
	}
	if !viewing {
		return
	}
	d := time.Since(ws.started)
	s.log.Info("view ended", "user", ws.user, "camera", ws.camera, "via", "whep", "duration", d.Round(time.Second))
	s.record(context.Background(), audit.Entry{User: ws.user, Action: audit.ActionViewEnd, Camera: ws.camera,
		Detail: map[string]any{"via": "whep", "session": ws.id, "duration_s": d.Round(time.Millisecond).Seconds()}})
}

// handleWHEPDelete ends a session. Only its owner (or an admin) may.
func (s *Server) handleWHEPDelete(w http.ResponseWriter, r *http.Request, u auth.User) {
	ws := s.whep.get(r.PathValue("session"))
	if ws == nil || ws.camera != r.PathValue("camera") || (ws.user != u.Name && u.Role != auth.RoleAdmin) {
		writeError(w, http.StatusNotFound, "no such session")
		return
	}
	ws.session.Close()
	w.WriteHeader(http.StatusOK)
}

func (m *whepSessions) add(ws *whepSession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[ws.id] = ws
}

func (m *whepSessions) get(id string) *whepSession {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[id]
}

func (m *whepSessions) remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, id)
}

// Count returns the number of live WHEP sessions.
func (m *whepSessions) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

func (m *whepSessions) closeAll() {
	m.mu.Lock()
	all := make([]*whepSession, 0, len(m.sessions))
	for _, ws := range m.sessions {
		all = append(all, ws)
	}
	m.mu.Unlock()
	for _, ws := range all {
		ws.session.Close()
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
