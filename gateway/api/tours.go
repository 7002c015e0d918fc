package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

// TourStore keeps saved tours and favourite cameras; *store.Store
// implements it.
type TourStore interface {
	CreateTour(ctx context.Context, t store.Tour) (store.Tour, error)
	UpdateTour(ctx context.Context, t store.Tour) (store.Tour, error)
	GetTour(ctx context.Context, id string) (store.Tour, error)
	ListTours(ctx context.Context, user string) ([]store.Tour, error)
	DeleteTour(ctx context.Context, id string) error
	AddFavourite(ctx context.Context, user, camera string) error
	RemoveFavourite(ctx context.Context, user, camera string) error
	Favourites(ctx context.Context, user string) ([]string, error)
}

// Tour limits: a station has up to a few hundred cameras.
const (
	maxTourCameras = 1000
	maxTourDwell   = 3600 // seconds
)

// tourRoutes are the tours (轮巡) and the favourite cameras.
func (s *Server) tourRoutes() []Route {
	return []Route{
		{"GET", "/api/tours", authz.ActionView, s.handleTours},
		{"POST", "/api/tours", authz.ActionOwnLayouts, s.handleTourCreate},
		{"GET", "/api/tours/{id}", authz.ActionView, s.handleTour},
		{"PUT", "/api/tours/{id}", authz.ActionOwnLayouts, s.handleTourUpdate},
		{"DELETE", "/api/tours/{id}", authz.ActionOwnLayouts, s.handleTourDelete},
		{"GET", "/api/favourites", authz.ActionView, s.handleFavourites},
		{"PUT", "/api/favourites/{camera}", authz.ActionView, s.handleFavouriteAdd},
		{"DELETE", "/api/favourites/{camera}", authz.ActionView, s.handleFavouriteRemove},
	}
}

type tourRequest struct {
	Name    string   `json:"name"`
	DwellS  int      `json:"dwell_s"`
	Cameras []string `json:"cameras"`
	Shared  bool     `json:"shared"`
}

type tourJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Owner     string   `json:"owner"`
	Shared    bool     `json:"shared"`
	DwellS    int      `json:"dwell_s"`
	Cameras   []string `json:"cameras"`
	UpdatedAt string   `json:"updated_at"`
	Editable  bool     `json:"editable"`
}

// toTourJSON lists only the cameras u may see: a tour's other cameras are
// skipped when u runs it, and their ids are not his to know.
func (s *Server) toTourJSON(u auth.User, t store.Tour) tourJSON {
	cams := []string{}
	for _, id := range t.Cameras {
		if !s.hiddenCamera(u, id) {
			cams = append(cams, id)
		}
	}
	return tourJSON{ID: t.ID, Name: t.Name, Owner: t.Owner, Shared: t.Shared, DwellS: int(t.Dwell / time.Second),
		Cameras: cams, UpdatedAt: t.UpdatedAt.UTC().Format(time.RFC3339), Editable: canEditTour(u, t)}
}

// canSeeTour and canEditTour follow the sharing rule of layouts
// (authz.Sharing); a tour belongs to no station.
func canSeeTour(u auth.User, t store.Tour) bool { return tourSharing(t).VisibleTo(u) }

func canEditTour(u auth.User, t store.Tour) bool { return tourSharing(t).EditableBy(u) }

func tourSharing(t store.Tour) authz.Sharing { return authz.Sharing{Owner: t.Owner, Shared: t.Shared} }

func (s *Server) handleTours(w http.ResponseWriter, r *http.Request, u auth.User) {
	all, err := s.opts.Tours.ListTours(r.Context(), u.Name)
	if err != nil {
		s.internalError(w, "list tours", err)
		return
	}
	out := make([]tourJSON, 0, len(all))
	for _, t := range all {
		out = append(out, s.toTourJSON(u, t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tours": out})
}

func (s *Server) handleTourCreate(w http.ResponseWriter, r *http.Request, u auth.User) {
	t, status, err := s.decodeTour(w, r, u)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	t.Owner = u.Name
	if t, err = s.opts.Tours.CreateTour(r.Context(), t); err != nil {
		s.internalError(w, "create tour", err)
		return
	}
	writeJSON(w, http.StatusCreated, s.toTourJSON(u, t))
}

func (s *Server) handleTour(w http.ResponseWriter, r *http.Request, u auth.User) {
	if t, ok := s.findTour(w, r, u); ok {
		writeJSON(w, http.StatusOK, s.toTourJSON(u, t))
	}
}

// handleTourUpdate replaces a tour. The cameras u may not see stay in it
// (after his), for the users who may.
func (s *Server) handleTourUpdate(w http.ResponseWriter, r *http.Request, u auth.User) {
	old, ok := s.editableTour(w, r, u)
	if !ok {
		return
	}
	t, status, err := s.decodeTour(w, r, u)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	for _, id := range old.Cameras {
		if s.hiddenCamera(u, id) {
			t.Cameras = append(t.Cameras, id)
		}
	}
	t.ID, t.Owner = old.ID, old.Owner
	if t, err = s.opts.Tours.UpdateTour(r.Context(), t); err != nil {
		s.internalError(w, "update tour", err)
		return
	}
	writeJSON(w, http.StatusOK, s.toTourJSON(u, t))
}

func (s *Server) handleTourDelete(w http.ResponseWriter, r *http.Request, u auth.User) {
	t, ok := s.editableTour(w, r, u)
	if !ok {
		return
	}
	if t.Owner != u.Name && slices.ContainsFunc(t.Cameras, func(id string) bool { return s.hiddenCamera(u, id) }) {
		writeError(w, http.StatusConflict, "the tour shows cameras of stations outside yours; only its owner or a user of all its stations may delete it")
		return
	}
	if err := s.opts.Tours.DeleteTour(r.Context(), t.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, "delete tour", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// findTour loads the tour of the path; one u may not run is answered 404.
func (s *Server) findTour(w http.ResponseWriter, r *http.Request, u auth.User) (store.Tour, bool) {
	t, err := s.opts.Tours.GetTour(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSeeTour(u, t)) {
		writeError(w, http.StatusNotFound, "no such tour")
		return store.Tour{}, false
	}
	if err != nil {
		s.internalError(w, "get tour", err)
		return store.Tour{}, false
	}
	return t, true
}

func (s *Server) editableTour(w http.ResponseWriter, r *http.Request, u auth.User) (store.Tour, bool) {
	t, ok := s.findTour(w, r, u)
	if ok && !canEditTour(u, t) {
		writeError(w, http.StatusForbidden, "only the owner or an operator may change this tour")
		return store.Tour{}, false
	}
	return t, ok
}

// decodeTour reads and checks a tour body, with the status to answer when
// it is refused.
func (s *Server) decodeTour(w http.ResponseWriter, r *http.Request, u auth.User) (store.Tour, int, error) {
	var req tourRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return store.Tour{}, http.StatusBadRequest, err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > maxLayoutName {
		return store.Tour{}, http.StatusBadRequest, fmt.Errorf("name: 1 to %d characters", maxLayoutName)
	}
	if req.DwellS < 1 || req.DwellS > maxTourDwell {
		return store.Tour{}, http.StatusBadRequest, fmt.Errorf("dwell_s: 1 to %d seconds", maxTourDwell)
	}
	if len(req.Cameras) == 0 || len(req.Cameras) > maxTourCameras {
		return store.Tour{}, http.StatusBadRequest, fmt.Errorf("cameras: 1 to %d cameras", maxTourCameras)
	}
	for i, id := range req.Cameras {
		if _, ok := s.visibleCamera(u, id); !ok {
			return store.Tour{}, http.StatusBadRequest, fmt.Errorf("cameras[%d] %q: no such camera", i, clipText(id))
		}
	}
	if req.Shared && !authz.Allowed(u, authz.ActionSharedLayouts) {
		return store.Tour{}, http.StatusForbidden, errors.New("only operators may share tours")
	}
	return store.Tour{Name: name, Shared: req.Shared, Dwell: time.Duration(req.DwellS) * time.Second,
		Cameras: slices.Clone(req.Cameras)}, http.StatusOK, nil
}
