package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"vigil/gateway/alarms"
	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/config"
	"vigil/gateway/store"
)

// AlarmService lists and acknowledges alarms; *alarms.Engine implements it.
type AlarmService interface {
	List(ctx context.Context, f store.AlarmFilter) ([]alarms.Alarm, error)
	Ack(ctx context.Context, id, user, note string, visible func(alarms.Alarm) bool) (alarms.Alarm, error)
}

func (s *Server) alarmRoutes() []Route {
	return []Route{
		{"GET", "/api/alarms", authz.ActionView, s.handleAlarms},
		{"POST", "/api/alarms/{id}/ack", authz.ActionAckAlarms, s.handleAlarmAck},
	}
}

// alarmVisible reports whether u may see alarm a: one of a camera or a
// station to users of that station, one of no station (a node, the disk)
// to users of every station.
func alarmVisible(u auth.User, a alarms.Alarm) bool {
	if a.Station == "" {
		return len(u.Stations) == 0
	}
	return u.CanSeeStation(a.Station)
}

// handleAlarms answers GET /api/alarms?state=&station=&camera=&type=&from=&to=
// newest first; state may also be "open" (active or acknowledged).
func (s *Server) handleAlarms(w http.ResponseWriter, r *http.Request, u auth.User) {
	f, err := alarmFilter(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	list, err := s.opts.Alarms.List(r.Context(), f)
	if err != nil {
		s.log.Error("list alarms", "err", err)
		writeError(w, http.StatusInternalServerError, "alarms unavailable")
		return
	}
	out := make([]alarms.Alarm, 0, len(list))
	for _, a := range list {
		if alarmVisible(u, a) {
			out = append(out, a)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alarms": out})
}

var alarmStates = []string{alarms.StateActive, alarms.StateAcknowledged, alarms.StateCleared, store.StateOpen}

func alarmFilter(q url.Values) (store.AlarmFilter, error) {
	f := store.AlarmFilter{State: q.Get("state"), Station: q.Get("station"), Camera: q.Get("camera"), Type: q.Get("type")}
	if f.State != "" && !slices.Contains(alarmStates, f.State) {
		return f, fmt.Errorf("state %q: want active, acknowledged, cleared or open", f.State)
	}
	if f.Type != "" && !slices.Contains(config.AlarmTypes, f.Type) {
		return f, fmt.Errorf("type %q: unknown alarm type", f.Type)
	}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, fmt.Errorf("%s: want an RFC 3339 time", p.name)
			}
			*p.to = t
		}
	}
	return f, nil
}

// handleAlarmAck answers POST /api/alarms/{id}/ack {"note"}. An alarm of a
// camera the user may not see is 404, like one that does not exist.
func (s *Server) handleAlarmAck(w http.ResponseWriter, r *http.Request, u auth.User) {
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a, err := s.opts.Alarms.Ack(r.Context(), r.PathValue("id"), u.Name, req.Note,
		func(a alarms.Alarm) bool { return alarmVisible(u, a) })
	switch {
	case errors.Is(err, alarms.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such alarm")
	case errors.Is(err, alarms.ErrNoteTooLong):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.log.Error("ack alarm", "err", err)
		writeError(w, http.StatusInternalServerError, "alarm not acknowledged")
	default:
		writeJSON(w, http.StatusOK, a)
	}
}
