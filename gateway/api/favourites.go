package api

import (
	"errors"
	"net/http"

	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// handleFavourites lists u's favourite cameras that he may see now (a
// station taken from him hides its cameras, and they come back with it).
func (s *Server) handleFavourites(w http.ResponseWriter, r *http.Request, u auth.User) {
	all, err := s.opts.Tours.Favourites(r.Context(), u.Name)
	if err != nil {
		s.internalError(w, "list favourites", err)
		return
	}
	out := []string{}
	for _, id := range all {
		if _, ok := s.visibleCamera(u, id); ok {
			out = append(out, id)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cameras": out})
}

func (s *Server) handleFavouriteAdd(w http.ResponseWriter, r *http.Request, u auth.User) {
	id := r.PathValue("camera")
	if _, ok := s.visibleCamera(u, id); !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	if err := s.opts.Tours.AddFavourite(r.Context(), u.Name, id); err != nil {
		s.internalError(w, "add favourite", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleFavouriteRemove(w http.ResponseWriter, r *http.Request, u auth.User) {
	err := s.opts.Tours.RemoveFavourite(r.Context(), u.Name, r.PathValue("camera"))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not a favourite")
		return
	}
	if err != nil {
		s.internalError(w, "remove favourite", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
