package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
)

// WebhookLog reads the webhook delivery log (webhooks.Service).
type WebhookLog interface {
	Deliveries(ctx context.Context, webhook, state string, limit int) ([]store.WebhookDelivery, error)
}

// Reloader reloads the config file; by is the user asking. It returns
// what changed, or why the new config was refused (the old one runs on).
type Reloader interface {
	Reload(ctx context.Context, by string) ([]string, error)
}

// ErrNoConfigFile is what a Reloader returns in demo mode: there is no
// file to read again (409).
var ErrNoConfigFile = errors.New("demo mode: no config file to reload (start vigil with -config)")

func (s *Server) reloadRoutes() []Route {
	var rs []Route
	if s.opts.Reload != nil {
		rs = append(rs, Route{"POST", "/api/config/reload", authz.ActionManageConfig, s.handleReload})
	}
	if s.opts.Webhooks != nil {
		rs = append(rs, Route{"GET", "/api/webhooks/deliveries", authz.ActionManageConfig, s.handleDeliveries})
	}
	return rs
}

// handleReload answers 200 {"changed":[…]}, 409 in demo mode, 400
// {"error"} naming the line and reason of a refused config.
func (s *Server) handleReload(w http.ResponseWriter, r *http.Request, u auth.User) {
	changed, err := s.opts.Reload.Reload(r.Context(), u.Name)
	switch {
	case errors.Is(err, ErrNoConfigFile):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		if changed == nil {
			changed = []string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"changed": changed})
	}
}

// Delivery log paging bounds.
const (
	defaultDeliveryLimit = 100
	maxDeliveryLimit     = 1000
)

type webhookDeliveryJSON struct {
	ID         int64  `json:"id"`
	Webhook    string `json:"webhook"`
	Event      string `json:"event"`
	State      string `json:"state"`
	CreatedAt  string `json:"created_at"`
	Attempts   int    `json:"attempts"`
	NextAt     string `json:"next_at,omitempty"`
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error"`
	DoneAt     string `json:"done_at,omitempty"`
}

// handleDeliveries serves GET /api/webhooks/deliveries?webhook=&state=&limit=.
func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request, _ auth.User) {
	q := r.URL.Query()
	limit := defaultDeliveryLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDeliveryLimit {
			writeError(w, http.StatusBadRequest, "limit must be 1 to 1000")
			return
		}
		limit = n
	}
	state := q.Get("state")
	switch state {
	case "", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryFailed:
	default:
		writeError(w, http.StatusBadRequest, "state must be pending, delivered or failed")
		return
	}
	ds, err := s.opts.Webhooks.Deliveries(r.Context(), q.Get("webhook"), state, limit)
	if err != nil {
		s.log.Error("webhook delivery log", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot read the delivery log")
		return
	}
	out := make([]webhookDeliveryJSON, 0, len(ds))
	for _, d := range ds {
		j := webhookDeliveryJSON{ID: d.ID, Webhook: d.Webhook, Event: d.Event, State: d.State, CreatedAt: stamp(d.CreatedAt),
			Attempts: d.Attempts, LastStatus: d.LastStatus, LastError: d.LastError, DoneAt: stamp(d.DoneAt)}
		if d.State == store.DeliveryPending {
			j.NextAt = stamp(d.NextAt)
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
