package api

// Bookmarks and evidence locks (DESIGN.md "Recordings and playback").
//
// A bookmark is visible to everyone who may see its camera; for anyone
// else it does not exist (404, like the camera). Dispatchers and up create
// bookmarks and edit or delete their own; operators and up lock a range
// (retention then keeps its segments) and edit anyone's; only admins
// unlock, or delete a locked bookmark (403 for anyone else). Every create,
// edit, lock, unlock and delete is audited.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

// BookmarkStore keeps bookmarks; *store.Store implements it.
type BookmarkStore interface {
	CreateBookmark(ctx context.Context, b store.Bookmark) (store.Bookmark, error)
	UpdateBookmark(ctx context.Context, b store.Bookmark) (store.Bookmark, error)
	GetBookmark(ctx context.Context, id string) (store.Bookmark, error)
	ListBookmarks(ctx context.Context, q store.BookmarkQuery) ([]store.Bookmark, error)
	DeleteBookmark(ctx context.Context, id string) error
}

// LockedUsage returns the recorded bytes evidence locks hold on this node,
// per camera.
type LockedUsage func(ctx context.Context) (map[string]int64, error)

func (s *Server) bookmarkRoutes() []Route {
	return []Route{
		{"GET", "/api/bookmarks", authz.ActionView, s.handleBookmarks},
		{"POST", "/api/bookmarks", authz.ActionBookmarks, s.handleBookmarkCreate},
		{"GET", "/api/bookmarks/locked", authz.ActionView, s.handleLockedUsage},
		{"GET", "/api/bookmarks/{id}", authz.ActionView, s.handleBookmark},
		{"PUT", "/api/bookmarks/{id}", authz.ActionBookmarks, s.handleBookmarkUpdate},
		{"DELETE", "/api/bookmarks/{id}", authz.ActionBookmarks, s.handleBookmarkDelete},
	}
}

// bookmarkJSON is a bookmark as the API shows it.
type bookmarkJSON struct {
	ID        string `json:"id"`
	Camera    string `json:"camera"`
	Station   string `json:"station"`
	From      string `json:"from"`
	To        string `json:"to"`
	Title     string `json:"title"`
	Note      string `json:"note"`
	Locked    bool   `json:"locked"`
	CreatedBy string `json:"created_by"`
	CreatedAt string `json:"created_at"`
	LockedBy  string `json:"locked_by,omitempty"`
	LockedAt  string `json:"locked_at,omitempty"`
}

func toBookmarkJSON(b store.Bookmark) bookmarkJSON {
	j := bookmarkJSON{ID: b.ID, Camera: b.Camera, Station: b.Station, From: rfc3339ms(b.From), To: rfc3339ms(b.To),
		Title: b.Title, Note: b.Note, Locked: b.Locked, CreatedBy: b.CreatedBy, CreatedAt: rfc3339ms(b.CreatedAt),
		LockedBy: b.LockedBy}
	if !b.LockedAt.IsZero() {
		j.LockedAt = rfc3339ms(b.LockedAt)
	}
	return j
}

// CameraBookmarks returns camera's bookmarks overlapping [from, to] as the
// API shows them, for GET /api/recordings/{camera}; the caller has checked
// that the user may see the camera.
func (s *Server) CameraBookmarks(ctx context.Context, camera string, from, to time.Time) ([]bookmarkJSON, error) {
	out := []bookmarkJSON{}
	if s.opts.Bookmarks == nil {
		return out, nil
	}
	list, err := s.opts.Bookmarks.ListBookmarks(ctx, store.BookmarkQuery{Camera: camera, From: from, To: to})
	for _, b := range list {
		out = append(out, toBookmarkJSON(b))
	}
	return out, err
}

func (s *Server) handleBookmarks(w http.ResponseWriter, r *http.Request, u auth.User) {
	q, err := parseBookmarkQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, ok := s.visibleCamera(u, q.Camera); q.Camera != "" && !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	list, err := s.opts.Bookmarks.ListBookmarks(r.Context(), q)
	if err != nil {
		s.internalError(w, "list bookmarks", err)
		return
	}
	out := []bookmarkJSON{}
	for _, b := range list {
		if _, ok := s.visibleCamera(u, b.Camera); ok {
			out = append(out, toBookmarkJSON(b))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bookmarks": out})
}

func (s *Server) handleBookmarkCreate(w http.ResponseWriter, r *http.Request, u auth.User) {
	b, err := readNewBookmark(w, r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	cam, ok := s.visibleCamera(u, b.Camera)
	if !ok {
		writeError(w, http.StatusNotFound, "no such camera")
		return
	}
	if b.Locked && !authz.Allowed(u, authz.ActionLockEvidence) {
		writeError(w, http.StatusForbidden, "locking evidence needs an operator or an admin")
		return
	}
	b.Station, b.CreatedBy = cam.Station, u.Name
	b, err = s.opts.Bookmarks.CreateBookmark(r.Context(), b)
	if err != nil {
		s.internalError(w, "create bookmark", err)
		return
	}
	s.auditBookmark(r, u, audit.ActionBookmarkCreate, b)
	if b.Locked {
		s.auditBookmark(r, u, audit.ActionEvidenceLock, b)
	}
	w.Header().Set("Location", "/api/bookmarks/"+b.ID)
	writeJSON(w, http.StatusCreated, toBookmarkJSON(b))
}

func (s *Server) handleBookmark(w http.ResponseWriter, r *http.Request, u auth.User) {
	if b, ok := s.bookmarkOf(w, r, u); ok {
		writeJSON(w, http.StatusOK, toBookmarkJSON(b))
	}
}

func (s *Server) handleBookmarkUpdate(w http.ResponseWriter, r *http.Request, u auth.User) {
	old, ok := s.bookmarkOf(w, r, u)
	if !ok {
		return
	}
	var ch bookmarkChange
	if err := decodeJSON(w, r, &ch); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	b, err := ch.apply(old, u, time.Now())
	if err != nil {
		writeError(w, changeStatus(err), err.Error())
		return
	}
	if b, err = s.opts.Bookmarks.UpdateBookmark(r.Context(), b); err != nil {
		s.bookmarkError(w, "update bookmark", err)
		return
	}
	s.auditChange(r, u, old, b)
	writeJSON(w, http.StatusOK, toBookmarkJSON(b))
}

func (s *Server) handleBookmarkDelete(w http.ResponseWriter, r *http.Request, u auth.User) {
	b, ok := s.bookmarkOf(w, r, u)
	if !ok {
		return
	}
	if err := mayDelete(b, u); err != nil {
		writeError(w, http.StatusForbidden, err.Error())
		return
	}
	if err := s.opts.Bookmarks.DeleteBookmark(r.Context(), b.ID); err != nil {
		s.bookmarkError(w, "delete bookmark", err)
		return
	}
	if b.Locked {
		s.auditBookmark(r, u, audit.ActionEvidenceUnlock, b)
	}
	s.auditBookmark(r, u, audit.ActionBookmarkDelete, b)
	w.WriteHeader(http.StatusNoContent)
}

// handleLockedUsage answers how many recorded bytes evidence locks hold
// on this node, over the cameras the user may see.
func (s *Server) handleLockedUsage(w http.ResponseWriter, r *http.Request, u auth.User) {
	per := map[string]int64{}
	if s.opts.LockedUsage != nil {
		all, err := s.opts.LockedUsage(r.Context())
		if err != nil {
			s.internalError(w, "locked usage", err)
			return
		}
		for cam, n := range all {
			if _, ok := s.visibleCamera(u, cam); ok {
				per[cam] = n
			}
		}
	}
	var total int64
	for _, n := range per {
		total += n
	}
	writeJSON(w, http.StatusOK, map[string]any{"bytes": total, "cameras": per})
}

// bookmarkOf finds the bookmark of the request's {id} that u may see, or
// answers 404 itself.
func (s *Server) bookmarkOf(w http.ResponseWriter, r *http.Request, u auth.User) (store.Bookmark, bool) {
	b, err := s.opts.Bookmarks.GetBookmark(r.Context(), r.PathValue("id"))
	if err == nil {
		if _, ok := s.visibleCamera(u, b.Camera); !ok {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		s.bookmarkError(w, "get bookmark", err)
		return store.Bookmark{}, false
	}
	return b, true
}

func (s *Server) bookmarkError(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such bookmark")
		return
	}
	s.internalError(w, what, err)
}

func (s *Server) auditBookmark(r *http.Request, u auth.User, action string, b store.Bookmark) {
	s.record(r.Context(), audit.Entry{User: u.Name, Action: action, Camera: b.Camera, Detail: map[string]any{
		"id": b.ID, "from": rfc3339ms(b.From), "to": rfc3339ms(b.To), "title": b.Title, "locked": b.Locked}})
}

// auditChange records an edit: the lock or unlock, and the edit of title
// or note, each as its own entry.
func (s *Server) auditChange(r *http.Request, u auth.User, old, b store.Bookmark) {
	switch {
	case b.Locked && !old.Locked:
		s.auditBookmark(r, u, audit.ActionEvidenceLock, b)
	case !b.Locked && old.Locked:
		s.auditBookmark(r, u, audit.ActionEvidenceUnlock, b)
	}
	if b.Title != old.Title || b.Note != old.Note {
		s.auditBookmark(r, u, audit.ActionBookmarkUpdate, b)
	}
}
