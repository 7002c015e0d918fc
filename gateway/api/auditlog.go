package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/store"
)

// Audit paging bounds.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

type auditEntryJSON struct {
	Seq      int64           `json:"seq"`
	Time     string          `json:"time"`
	User     string          `json:"user"`
	Action   string          `json:"action"`
	Camera   string          `json:"camera"`
	Detail   json.RawMessage `json:"detail"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// parseAuditQuery reads ?user=&camera=&action=&from=&to=&limit=&before=.
func parseAuditQuery(v url.Values) (store.AuditQuery, error) {
	q := store.AuditQuery{User: v.Get("user"), Camera: v.Get("camera"), Action: v.Get("action"), Limit: defaultAuditLimit}
	for _, f := range []string{q.User, q.Camera, q.Action} {
		if len(f) > 128 {
			return q, errors.New("filters are at most 128 bytes")
		}
	}
	var err error
	if q.From, err = parseTimeParam(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = parseTimeParam(v, "to"); err != nil {
		return q, err
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 1 || q.Limit > maxAuditLimit {
			return q, fmt.Errorf("limit must be 1 to %d", maxAuditLimit)
		}
	}
	if s := v.Get("before"); s != "" {
		if q.BeforeSeq, err = strconv.ParseInt(s, 10, 64); err != nil || q.BeforeSeq < 1 {
			return q, errors.New("before must be a positive sequence number")
		}
	}
	return q, nil
}

func parseTimeParam(v url.Values, key string) (time.Time, error) {
	s := v.Get(key)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 time such as 2025-03-01T08:00:00+08:00", key)
	}
	return t, nil
}

// handleAudit pages through the audit log, newest first: next_before is
// the before= of the next page, 0 when there is none. Entries about
// cameras outside the reader's stations are left out.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u auth.User) {
	q, err := parseAuditQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if f, ok := s.opts.Audit.(flusher); ok {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		_ = f.Flush(ctx) // best effort: the page shows what is written
		cancel()
	}
	list, err := s.opts.AuditLog.ListAudit(r.Context(), q)
	if err != nil {
		s.log.Error("list audit", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot read the audit log")
		return
	}
	out := make([]auditEntryJSON, 0, len(list))
	for _, e := range list {
		if e.Camera != "" && !s.cameraVisibleOrGone(u, e.Camera) {
			continue
		}
		out = append(out, auditEntryJSON{Seq: e.Seq, Time: rfc3339(e.Time), User: e.User, Action: e.Action,
			Camera: e.Camera, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	next := int64(0)
	if len(list) == q.Limit {
		next = list[len(list)-1].Seq
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next_before": next})
}

// cameraVisibleOrGone: a camera in the user's stations, or one no longer
// configured (its history stays readable).
func (s *Server) cameraVisibleOrGone(u auth.User, id string) bool {
	c, ok := s.opts.Catalog.Camera(id)
	return !ok || u.CanSeeStation(c.Station)
}
