package api

import (
	"context"
	"errors"
	"net/http"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/ptz"
	"vigil/streams/onvif"
)

// PTZControl is the gateway's dome control (gateway/ptz).
type PTZControl interface {
	Move(ctx context.Context, u ptz.User, camera string, v onvif.Vector) error
	Stop(ctx context.Context, u ptz.User, camera string) error
	Goto(ctx context.Context, u ptz.User, camera, token string) error
	SavePreset(ctx context.Context, u ptz.User, camera, name string) (string, error)
	DeletePreset(ctx context.Context, u ptz.User, camera, token string) error
	Presets(ctx context.Context, camera string) ([]onvif.Preset, error)
	Holder(camera string) (ptz.Holder, bool)
}

// Discoverer probes the station network for ONVIF devices.
type Discoverer func(ctx context.Context) ([]onvif.Discovered, error)

func (s *Server) ptzRoutes() []Route {
	var rs []Route
	if s.opts.PTZ != nil {
		rs = append(rs,
			Route{"GET", "/api/cameras/{id}/ptz", authz.ActionView, s.handlePTZ},
			Route{"POST", "/api/cameras/{id}/ptz/move", authz.ActionControlPTZ, s.handlePTZMove},
			Route{"POST", "/api/cameras/{id}/ptz/stop", authz.ActionControlPTZ, s.handlePTZStop},
			Route{"POST", "/api/cameras/{id}/ptz/presets", authz.ActionControlPTZ, s.handlePresetSave},
			Route{"POST", "/api/cameras/{id}/ptz/presets/{token}/goto", authz.ActionControlPTZ, s.handlePresetGoto},
			Route{"DELETE", "/api/cameras/{id}/ptz/presets/{token}", authz.ActionControlPTZ, s.handlePresetDelete},
		)
	}
	if s.opts.Discover != nil {
		rs = append(rs, Route{"POST", "/api/onvif/discover", authz.ActionAddCameras, s.handleDiscover})
	}
	return rs
}

// ptzCamera finds the camera of the request (404 for one the user may not
// see) and the user as the PTZ control knows them.
func (s *Server) ptzCamera(w http.ResponseWriter, r *http.Request, u auth.User) (string, ptz.User, bool) {
	c, ok := s.visibleCamera(u, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return "", ptz.User{}, false
	}
	return c.ID, ptz.User{Name: u.Name, Role: u.Role}, true
}

type ptzState struct {
	PTZ     bool         `json:"ptz"`
	Presets []presetJSON `json:"presets"`
	Holder  *ptz.Holder  `json:"holder"`
}

type presetJSON struct {
	Token string `json:"token"`
	Name  string `json:"name"`
}

func (s *Server) handlePTZ(w http.ResponseWriter, r *http.Request, u auth.User) {
	id, _, ok := s.ptzCamera(w, r, u)
	if !ok {
		return
	}
	presets, err := s.opts.PTZ.Presets(r.Context(), id)
	if errors.Is(err, ptz.ErrNoPTZ) {
		writeJSON(w, http.StatusOK, ptzState{Presets: []presetJSON{}})
		return
	}
	if err != nil {
		writePTZError(w, err)
		return
	}
	st := ptzState{PTZ: true, Presets: make([]presetJSON, 0, len(presets))}
	for _, p := range presets {
		st.Presets = append(st.Presets, presetJSON{Token: p.Token, Name: p.Name})
	}
	if h, ok := s.opts.PTZ.Holder(id); ok {
		st.Holder = &h
	}
	writeJSON(w, http.StatusOK, st)
}

// moveRequest is a velocity; a missing axis is 0, a value that is not a
// number is refused by the decoder.
type moveRequest struct {
	Pan  float64 `json:"pan"`
	Tilt float64 `json:"tilt"`
	Zoom float64 `json:"zoom"`
}

func (s *Server) handlePTZMove(w http.ResponseWriter, r *http.Request, u auth.User) {
	id, pu, ok := s.ptzCamera(w, r, u)
	if !ok {
		return
	}
	var req moveRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.ptzDone(w, s.opts.PTZ.Move(r.Context(), pu, id, onvif.Vector{Pan: req.Pan, Tilt: req.Tilt, Zoom: req.Zoom}))
}

func (s *Server) handlePTZStop(w http.ResponseWriter, r *http.Request, u auth.User) {
	if id, pu, ok := s.ptzCamera(w, r, u); ok {
		s.ptzDone(w, s.opts.PTZ.Stop(r.Context(), pu, id))
	}
}

func (s *Server) handlePresetGoto(w http.ResponseWriter, r *http.Request, u auth.User) {
	if id, pu, ok := s.ptzCamera(w, r, u); ok {
		s.ptzDone(w, s.opts.PTZ.Goto(r.Context(), pu, id, r.PathValue("token")))
	}
}

func (s *Server) handlePresetDelete(w http.ResponseWriter, r *http.Request, u auth.User) {
	if id, pu, ok := s.ptzCamera(w, r, u); ok {
		s.ptzDone(w, s.opts.PTZ.DeletePreset(r.Context(), pu, id, r.PathValue("token")))
	}
}

func (s *Server) handlePresetSave(w http.ResponseWriter, r *http.Request, u auth.User) {
	id, pu, ok := s.ptzCamera(w, r, u)
	if !ok {
		return
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	token, err := s.opts.PTZ.SavePreset(r.Context(), pu, id, req.Name)
	if err != nil {
		writePTZError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, presetJSON{Token: token, Name: req.Name})
}

func (s *Server) ptzDone(w http.ResponseWriter, err error) {
	if err != nil {
		writePTZError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writePTZError answers a refused PTZ command: 400 bad values, 409 no
// PTZ or held by someone else (with who), 429 too fast, 502 the dome
// failed, 503 shutting down.
func writePTZError(w http.ResponseWriter, err error) {
	var locked *ptz.LockedError
	var dev *ptz.DeviceError
	switch {
	case errors.Is(err, ptz.ErrRange), errors.Is(err, ptz.ErrPresetName):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ptz.ErrNoPTZ):
		writeError(w, http.StatusConflict, err.Error())
	case errors.As(err, &locked):
		writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error(), "holder": locked.Holder})
	case errors.Is(err, ptz.ErrRateLimited):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, err.Error())
	case errors.As(err, &dev):
		writeError(w, http.StatusBadGateway, err.Error())
	default:
		writeError(w, http.StatusServiceUnavailable, err.Error())
	}
}

func (s *Server) handleDiscover(w http.ResponseWriter, r *http.Request, _ auth.User) {
	devices, err := s.opts.Discover(r.Context())
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if devices == nil {
		devices = []onvif.Discovered{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": devices})
}
