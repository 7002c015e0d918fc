package api

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/streams/segstore"
)

// NodeRecordings is this node's recording index as the other nodes of a
// cluster read it (an export on another node of a time recorded here).
type NodeRecordings interface {
	Segments(camera string, from, to time.Time) []segstore.Segment
}

// nodeAuthScheme is how another node proves itself: the cluster secret.
const nodeAuthScheme = "Node "

// NodeSegment is one segment in the internal listing.
type NodeSegment struct {
	Name   string    `json:"name"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Size   int64     `json:"size"`
	Intact bool      `json:"intact"`
	Chain  bool      `json:"chain"` // a hash sidecar exists
}

// nodeRoutes serve recordings to the other nodes; users never reach them
// (no user credential is accepted, only the cluster secret).
func (s *Server) nodeRoutes() []Route {
	if s.opts.NodeSecret == "" || s.opts.NodeRecordings == nil {
		return nil
	}
	return []Route{
		{"GET", "/api/internal/recordings/{camera}", authz.ActionPublic, s.node(s.handleNodeSegments)},
		{"GET", "/api/internal/recordings/{camera}/{segment}", authz.ActionPublic, s.node(s.handleNodeSegment)},
	}
}

// node admits only requests carrying the cluster secret.
func (s *Server) node(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, u auth.User) {
		got := r.Header.Get("Authorization")
		want := nodeAuthScheme + s.opts.NodeSecret
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			writeError(w, http.StatusUnauthorized, "node credentials required")
			return
		}
		if s.opts.OnAuthenticated != nil {
			s.opts.OnAuthenticated(r) // a node is no anonymous client
		}
		h(w, r, u)
	}
}

// handleNodeSegments lists camera's segments overlapping ?from=&to=.
func (s *Server) handleNodeSegments(w http.ResponseWriter, r *http.Request, _ auth.User) {
	from, err := parseTimeParam(r.URL.Query(), "from")
	to, err2 := parseTimeParam(r.URL.Query(), "to")
	if err := errors.Join(err, err2); err != nil || from.IsZero() || !to.After(from) {
		writeError(w, http.StatusBadRequest, "from and to must be RFC 3339 times, from before to")
		return
	}
	out := []NodeSegment{}
	for _, seg := range s.opts.NodeRecordings.Segments(r.PathValue("camera"), from, to) {
		_, chainErr := os.Stat(segstore.ChainPath(seg.Path))
		out = append(out, NodeSegment{Name: filepath.Base(seg.Path), Start: seg.Start, End: seg.End,
			Size: seg.Size, Intact: seg.Intact, Chain: chainErr == nil})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleNodeSegment sends one segment's usable bytes, or with ?part=chain
// its hash sidecar. The segment is found by name in the index, never by
// joining the request into a path.
func (s *Server) handleNodeSegment(w http.ResponseWriter, r *http.Request, _ auth.User) {
	name := r.PathValue("segment")
	var seg *segstore.Segment
	for _, sg := range s.opts.NodeRecordings.Segments(r.PathValue("camera"), time.Time{}, time.Now().Add(time.Hour)) {
		if filepath.Base(sg.Path) == name {
			seg = &sg
			break
		}
	}
	if seg == nil {
		writeError(w, http.StatusNotFound, "no such segment")
		return
	}
	path, limit := seg.Path, seg.Size
	if r.URL.Query().Get("part") == "chain" {
		path, limit = segstore.ChainPath(seg.Path), -1
	}
	f, err := os.Open(path)
	if err != nil {
		writeError(w, http.StatusNotFound, "no such segment part")
		return
	}
	defer f.Close()
	var body io.Reader = f
	if limit >= 0 {
		body = io.LimitReader(f, limit)
		w.Header().Set("Content-Length", strconv.FormatInt(limit, 10))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if _, err := io.Copy(w, body); err != nil {
		s.log.Debug("send segment to a node", "segment", name, "err", err)
	}
}
