package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
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
}

// handleWHEPOffer answers a WHEP offer (RFC 9725): one recvonly video
// track fed by the camera's hub. A camera that is down is accepted: the
// viewer starts playing when it returns.
func (s *Server) handleWHEPOffer(w http.ResponseWriter, r *http.Request, u auth.User) {
	cam, ok := s.visibleCamera(u, r.PathValue("camera"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	quality := catalog.Quality(r.URL.Query().Get("quality"))
	if quality == "" {
		quality = catalog.Main
	}
	if quality != catalog.Main && quality != catalog.Sub {
		writeError(w, http.StatusBadRequest, "quality must be main or sub")
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/sdp" {
		writeError(w, http.StatusUnsupportedMediaType, "offer must be application/sdp")
		return
	}
	offer, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSDPBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "offer too large")
		return
	}

	ws := &whepSession{id: newID(), token: requestToken(r), user: u.Name, camera: cam.ID, started: time.Now()}
	sess, answer, err := s.opts.WebRTC.NewSession(r.Context(), webrtc.SessionOptions{
		Offer: string(offer),
		OnClose: func() {
			s.whep.remove(ws.id)
			d := time.Since(ws.started)
			s.log.Info("view ended", "user", ws.user, "camera", ws.camera, "via", "whep",
				"duration", d.Round(time.Second))
			s.record(context.Background(), audit.Entry{User: ws.user, Action: audit.ActionViewEnd, Camera: ws.camera,
				Detail: map[string]any{"via": "whep", "session": ws.id, "duration_s": d.Round(time.Millisecond).Seconds()}})
		},
	})
	if errors.Is(err, webrtc.ErrBadOffer) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.log.Error("whep session", "camera", cam.ID, "err", err)
		writeError(w, http.StatusInternalServerError, "could not start the WebRTC session")
		return
	}
	ws.session = sess
	s.whep.add(ws)
	s.startWHEPRecheck()
	sess.Feed(0).AttachStream(cam.Video(quality))
	if a := sess.Audio(0); a != nil && cam.Audio() != nil {
		a.AttachStream(cam.Audio())
	}
	s.log.Info("view started", "user", u.Name, "camera", cam.ID, "via", "whep", "session", ws.id)
	s.record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionViewStart, Camera: cam.ID, Time: ws.started,
		Detail: map[string]any{"via": "whep", "session": ws.id, "quality": string(quality), "ip": remoteIP(r)}})

	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/api/whep/"+cam.ID+"/"+ws.id)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
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
