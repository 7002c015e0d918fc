package api

import (
	"errors"
	"net/http"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/config"
	"vigil/gateway/signal"
	"vigil/gateway/store"
)

// handleWallTour starts a tour on wall id: {"tour_id":ID,"grid":G}. The
// wall then steps through the tour's cameras that u may see, a page of the
// grid's tiles at a time, with no console open, until a dispatcher puts
// something else on it.
func (s *Server) handleWallTour(w http.ResponseWriter, r *http.Request, u auth.User, id string, req wallRequest) {
	if s.opts.WallTours == nil || s.opts.Tours == nil {
		writeError(w, http.StatusBadRequest, "tour_id: walls run no tours here")
		return
	}
	if req.Cameras != nil || req.LayoutID != nil {
		writeError(w, http.StatusBadRequest, "give either tour_id (and grid) or grid and cameras or layout_id")
		return
	}
	t, err := s.opts.Tours.GetTour(r.Context(), *req.TourID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSeeTour(u, t)) {
		writeError(w, http.StatusBadRequest, "tour_id: no such tour")
		return
	}
	if err != nil {
		s.internalError(w, "get tour", err)
		return
	}
	grid, ok := s.wallTourGrid(r, id, req.Grid)
	if !ok {
		writeError(w, http.StatusBadRequest, "grid: must be one of 1, 2x2, 3x3, 4x4, 5x5, 1+5, 1+7")
		return
	}
	visible := func(cam string) bool {
		_, ok := s.visibleCamera(u, cam)
		return ok
	}
	err = s.opts.WallTours.Start(r.Context(), id, grid, t, visible, u.Name)
	if errors.Is(err, signal.ErrNoTourCameras) {
		writeError(w, http.StatusBadRequest, "tour_id: "+err.Error())
		return
	}
	if err != nil {
		s.internalError(w, "start wall tour", err)
		return
	}
	s.Audit().Record(r.Context(), audit.Entry{User: u.Name, Action: audit.ActionWallSet, Detail: map[string]any{
		"wall": id, "grid": grid, "tour": t.ID, "ip": remoteIP(r),
	}})
	wall, err := s.opts.Walls.Get(r.Context(), id)
	if err != nil {
		s.internalError(w, "get wall", err)
		return
	}
	writeJSON(w, http.StatusOK, s.toWallJSON(u, wall))
}

// wallTourGrid is the grid asked for, or the wall's current one.
func (s *Server) wallTourGrid(r *http.Request, id string, asked *string) (string, bool) {
	if asked != nil {
		return *asked, config.ValidGrid(*asked)
	}
	wall, err := s.opts.Walls.Get(r.Context(), id)
	if err != nil || !config.ValidGrid(wall.Layout.Grid) {
		return "1", true
	}
	return wall.Layout.Grid, true
}
