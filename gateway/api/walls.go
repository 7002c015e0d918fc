package api

import (
	"errors"
	"net/http"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

type wallJSON struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Layout    wallLayoutJSON `json:"layout"`
	UpdatedBy string         `json:"updated_by"`
	UpdatedAt string         `json:"updated_at"`
	// Controllable tells whether this user may PUT the wall: an operator
	// whose stations include all of the wall's.
	Controllable bool `json:"controllable"`
}

type wallLayoutJSON struct {
	Grid     string   `json:"grid"`
	Cameras  []string `json:"cameras"`
	LayoutID string   `json:"layout_id"`
	Tour     string   `json:"tour,omitempty"` // the tour the wall runs
}

// wallRequest is either a grid with its cameras or a saved layout's id.
type wallRequest struct {
	Grid     *string  `json:"grid"`
	Cameras  []string `json:"cameras"`
	LayoutID *string  `json:"layout_id"`
	TourID   *string  `json:"tour_id"` // run a tour, in grid (default: the wall's)
}

func (s *Server) toWallJSON(u auth.User, w store.Wall) wallJSON {
	return wallJSON{
		ID: w.ID, Name: w.Name, UpdatedBy: w.UpdatedBy, UpdatedAt: w.UpdatedAt.UTC().Format(time.RFC3339),
		Layout:       wallLayoutJSON{Grid: w.Layout.Grid, Cameras: s.visibleCameras(u, w.Layout.Cameras), LayoutID: w.Layout.LayoutID, Tour: w.Layout.Tour},
		Controllable: authz.Allowed(u, authz.ActionControlWalls) && s.opts.Walls.Controllable(u, w.ID),
	}
}

func (s *Server) handleWalls(w http.ResponseWriter, r *http.Request, u auth.User) {
	walls, err := s.opts.Walls.List(r.Context())
	if err != nil {
		s.internalError(w, "list walls", err)
		return
	}
	out := make([]wallJSON, 0, len(walls))
	for _, wall := range walls {
		if s.opts.Walls.Visible(u, wall.ID) {
			out = append(out, s.toWallJSON(u, wall))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"walls": out})
}

// handleWallPut sets what a wall shows; every console following it gets
// the new layout at once. A wall of other stations only does not exist for
// the user; one that also serves stations outside his scope he may not
// change; he may push only cameras he sees.
func (s *Server) handleWallPut(w http.ResponseWriter, r *http.Request, u auth.User) {
	id := r.PathValue("id")
	if !s.opts.Walls.Visible(u, id) {
		writeError(w, http.StatusNotFound, "no such wall")
		return
	}
	if !s.opts.Walls.Controllable(u, id) {
		writeError(w, http.StatusForbidden, "the wall serves stations outside yours")
		return
	}
	var req wallRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.TourID != nil {
		s.handleWallTour(w, r, u, id, req)
		return
	}
	layout, status, msg := s.wallLayout(r, u, req)
	if msg != "" {
		writeError(w, status, msg)
		return
	}
	put := s.opts.Walls.Put
	if s.opts.WallTours != nil {
		put = s.opts.WallTours.Put // what a dispatcher puts replaces a tour
	}
	wall, err := put(r.Context(), id, layout, u.Name)
	if err != nil {
		s.internalError(w, "put wall", err)
		return
	}
	s.Audit().Record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionWallSet, Detail: map[string]any{
		"wall": id, "grid": layout.Grid, "cameras": layout.Cameras, "layout_id": layout.LayoutID, "ip": remoteIP(r),
	}})
	writeJSON(w, http.StatusOK, s.toWallJSON(u, wall))
}

// wallLayout resolves a wall request to the layout to show, or the status
// and message of its refusal.
func (s *Server) wallLayout(r *http.Request, u auth.User, req wallRequest) (store.WallLayout, int, string) {
	if req.LayoutID != nil {
		if req.Grid != nil || req.Cameras != nil {
			return store.WallLayout{}, http.StatusBadRequest, "give either grid and cameras or layout_id, not both"
		}
		l, err := s.opts.Layouts.GetLayout(r.Context(), *req.LayoutID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !canSeeLayout(u, l)) {
			return store.WallLayout{}, http.StatusBadRequest, "layout_id: no such layout"
		}
		if err != nil {
			s.log.Error("get layout", "err", err)
			return store.WallLayout{}, http.StatusInternalServerError, "internal error; see the gateway log"
		}
		if err := s.checkGrid(u, l.Grid, l.Cameras); err != nil {
			return store.WallLayout{}, http.StatusBadRequest, "layout_id: the layout shows cameras you may not see"
		}
		return store.WallLayout{Grid: l.Grid, Cameras: l.Cameras, LayoutID: l.ID}, 0, ""
	}
	if req.Grid == nil {
		return store.WallLayout{}, http.StatusBadRequest, "grid and cameras, or layout_id, are required"
	}
	if err := s.checkGrid(u, *req.Grid, req.Cameras); err != nil {
		return store.WallLayout{}, http.StatusBadRequest, err.Error()
	}
	cams := append([]string{}, req.Cameras...)
	return store.WallLayout{Grid: *req.Grid, Cameras: cams}, 0, ""
}
