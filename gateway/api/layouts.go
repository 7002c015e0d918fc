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
	"vigil/gateway/config"
	"vigil/gateway/store"
)

// LayoutStore keeps saved layouts; *store.Store implements it. GetUser
// tells whether a station layout's owner is an admin (only those replace
// the station's configured default).
type LayoutStore interface {
	CreateLayout(ctx context.Context, l store.Layout) (store.Layout, error)
	UpdateLayout(ctx context.Context, l store.Layout) (store.Layout, error)
	GetLayout(ctx context.Context, id string) (store.Layout, error)
	ListLayouts(ctx context.Context, owner string) ([]store.Layout, error)
	DeleteLayout(ctx context.Context, id string) error
	GetUser(ctx context.Context, username string) (store.User, error)
}

const maxLayoutName = 100 // characters

// consoleRoutes are the routes of the dispatch console: saved layouts,
// video walls and the console WebSocket.
func (s *Server) consoleRoutes() []Route {
	return []Route{
		{"GET", "/api/layouts", authz.ActionView, s.handleLayouts},
		{"POST", "/api/layouts", authz.ActionOwnLayouts, s.handleLayoutCreate},
		{"GET", "/api/layouts/{id}", authz.ActionView, s.handleLayout},
		{"PUT", "/api/layouts/{id}", authz.ActionOwnLayouts, s.handleLayoutUpdate},
		{"DELETE", "/api/layouts/{id}", authz.ActionOwnLayouts, s.handleLayoutDelete},
		{"GET", "/api/walls", authz.ActionView, s.handleWalls},
		{"PUT", "/api/walls/{id}", authz.ActionControlWalls, s.handleWallPut},
		{"GET", "/api/ws", authz.ActionView, s.unlessDraining(s.handleWS)},
	}
}

type layoutRequest struct {
	Name    string   `json:"name"`
	Grid    string   `json:"grid"`
	Cameras []string `json:"cameras"`
	Shared  bool     `json:"shared"`
	Station string   `json:"station"`
}

type layoutJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Owner     string   `json:"owner"`
	Shared    bool     `json:"shared"`
	Station   string   `json:"station"`
	Grid      string   `json:"grid"`
	Cameras   []string `json:"cameras"`
	UpdatedAt string   `json:"updated_at"`
	Editable  bool     `json:"editable"`
}

func (s *Server) toLayoutJSON(u auth.User, l store.Layout) layoutJSON {
	return layoutJSON{
		ID: l.ID, Name: l.Name, Owner: l.Owner, Shared: l.Shared, Station: l.Station, Grid: l.Grid,
		Cameras: s.visibleCameras(u, l.Cameras), UpdatedAt: l.UpdatedAt.UTC().Format(time.RFC3339),
		Editable: canEditLayout(u, l),
	}
}

// visibleCameras blanks the cameras u may not see: a shared layout must
// not tell a user about cameras outside their stations.
func (s *Server) visibleCameras(u auth.User, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if _, ok := s.visibleCamera(u, id); ok {
			out[i] = id
		}
	}
	return out
}

// hiddenCamera reports whether id is a configured camera that u may not
// see. A camera no longer configured is hidden from no one: anyone may
// clear its tile.
func (s *Server) hiddenCamera(u auth.User, id string) bool {
	c, ok := s.opts.Catalog.Camera(id)
	return ok && !u.CanSeeStation(c.Station)
}

// keepHidden merges a layout write of u with the stored cameras: u saves
// the layout as he sees it, with the tiles of cameras he may not see empty,
// and those tiles must keep their cameras for everyone else. He may not
// move or remove such a camera: its tile must stay empty in his write and
// within the grid. (Adding one is refused by checkGrid.)
func (s *Server) keepHidden(u auth.User, stored []string, grid string, cams []string) ([]string, error) {
	out := slices.Clone(cams)
	for i, id := range stored {
		if !s.hiddenCamera(u, id) {
			continue
		}
		if i >= config.GridCapacity(grid) {
			return nil, fmt.Errorf("grid %s: tile %d shows a camera of a station outside yours and must stay", grid, i)
		}
		for len(out) <= i {
			out = append(out, "")
		}
		if out[i] != "" {
			return nil, fmt.Errorf("cameras[%d]: the tile shows a camera of a station outside yours; leave it empty", i)
		}
		out[i] = id
	}
	return out, nil
}

// canSeeLayout and canEditLayout follow the sharing rule (authz.Sharing).
func canSeeLayout(u auth.User, l store.Layout) bool { return layoutSharing(l).VisibleTo(u) }

func canEditLayout(u auth.User, l store.Layout) bool { return layoutSharing(l).EditableBy(u) }

func layoutSharing(l store.Layout) authz.Sharing {
	return authz.Sharing{Owner: l.Owner, Station: l.Station, Shared: l.Shared}
}

func (s *Server) handleLayouts(w http.ResponseWriter, r *http.Request, u auth.User) {
	all, err := s.opts.Layouts.ListLayouts(r.Context(), "")
	if err != nil {
		s.internalError(w, "list layouts", err)
		return
	}
	out := []layoutJSON{}
	for _, l := range all {
		if canSeeLayout(u, l) {
			out = append(out, s.toLayoutJSON(u, l))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"layouts": out})
}

func (s *Server) handleLayoutCreate(w http.ResponseWriter, r *http.Request, u auth.User) {
	l, status, err := s.decodeLayout(w, r, u)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	l.Owner = u.Name
	l, err = s.opts.Layouts.CreateLayout(r.Context(), l)
	if err != nil {
		s.internalError(w, "create layout", err)
		return
	}
	writeJSON(w, http.StatusCreated, s.toLayoutJSON(u, l))
}

func (s *Server) handleLayout(w http.ResponseWriter, r *http.Request, u auth.User) {
	l, ok := s.findLayout(w, r, u)
	if ok {
		writeJSON(w, http.StatusOK, s.toLayoutJSON(u, l))
	}
}

func (s *Server) handleLayoutUpdate(w http.ResponseWriter, r *http.Request, u auth.User) {
	old, ok := s.editableLayout(w, r, u)
	if !ok {
		return
	}
	l, status, err := s.decodeLayout(w, r, u)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	if l.Cameras, err = s.keepHidden(u, old.Cameras, l.Grid, l.Cameras); err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	l.ID, l.Owner = old.ID, old.Owner
	l, err = s.opts.Layouts.UpdateLayout(r.Context(), l)
	if err != nil {
		s.internalError(w, "update layout", err)
		return
	}
	writeJSON(w, http.StatusOK, s.toLayoutJSON(u, l))
}

func (s *Server) handleLayoutDelete(w http.ResponseWriter, r *http.Request, u auth.User) {
	l, ok := s.editableLayout(w, r, u)
	if !ok {
		return
	}
	if l.Owner != u.Name && slices.ContainsFunc(l.Cameras, func(id string) bool { return s.hiddenCamera(u, id) }) {
		writeError(w, http.StatusConflict, "the layout shows cameras of stations outside yours; only its owner or a user of all its stations may delete it")
		return
	}
	if err := s.opts.Layouts.DeleteLayout(r.Context(), l.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, "delete layout", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// findLayout loads the layout of the path, answering 404 for one the user
// may not see.
func (s *Server) findLayout(w http.ResponseWriter, r *http.Request, u auth.User) (store.Layout, bool) {
	l, err := s.opts.Layouts.GetLayout(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSeeLayout(u, l)) {
		writeError(w, http.StatusNotFound, "no such layout")
		return store.Layout{}, false
	}
	if err != nil {
		s.internalError(w, "get layout", err)
		return store.Layout{}, false
	}
	return l, true
}

func (s *Server) editableLayout(w http.ResponseWriter, r *http.Request, u auth.User) (store.Layout, bool) {
	l, ok := s.findLayout(w, r, u)
	if ok && !canEditLayout(u, l) {
		writeError(w, http.StatusForbidden, "only the owner or an operator may change this layout")
		return store.Layout{}, false
	}
	return l, ok
}

// decodeLayout reads and checks a layout body, with the status to answer
// when it is refused.
func (s *Server) decodeLayout(w http.ResponseWriter, r *http.Request, u auth.User) (store.Layout, int, error) {
	var req layoutRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return store.Layout{}, http.StatusBadRequest, err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > maxLayoutName {
		return store.Layout{}, http.StatusBadRequest, fmt.Errorf("name: 1 to %d characters", maxLayoutName)
	}
	if req.Station != "" {
		if _, ok := s.opts.Catalog.Station(req.Station); !ok || !u.CanSeeStation(req.Station) {
			return store.Layout{}, http.StatusBadRequest, fmt.Errorf("station %q: no such station", clipText(req.Station))
		}
	}
	if err := s.checkGrid(u, req.Grid, req.Cameras); err != nil {
		return store.Layout{}, http.StatusBadRequest, err
	}
	if (req.Shared || req.Station != "") && !authz.Allowed(u, authz.ActionSharedLayouts) {
		return store.Layout{}, http.StatusForbidden, errors.New("only operators may share layouts or set station layouts")
	}
	cams := append([]string{}, req.Cameras...)
	return store.Layout{Name: name, Shared: req.Shared, Station: req.Station, Grid: req.Grid, Cameras: cams},
		http.StatusOK, nil
}

// checkGrid validates a grid and its cameras ("" for an empty tile): a
// known grid, no more cameras than tiles, each one visible to the user.
func (s *Server) checkGrid(u auth.User, grid string, cameras []string) error {
	if !config.ValidGrid(grid) {
		return fmt.Errorf("grid %q: must be one of 1, 2x2, 3x3, 4x4, 5x5, 1+5, 1+7", clipText(grid))
	}
	if n := config.GridCapacity(grid); len(cameras) > n {
		return fmt.Errorf("%d cameras: grid %s has %d tiles", len(cameras), grid, n)
	}
	for i, id := range cameras {
		if id == "" {
			continue
		}
		if _, ok := s.visibleCamera(u, id); !ok {
			return fmt.Errorf("cameras[%d] %q: no such camera", i, clipText(id))
		}
	}
	return nil
}

func (s *Server) internalError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error; see the gateway log")
}

// clipText keeps echoed user input short.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
