package api

import (
	"context"

	"vigil/gateway/auth"
	"vigil/gateway/catalog"
	"vigil/gateway/store"
)

// stationLayout is the layout a station opens with: the newest station
// layout saved by an admin, else the config's default. Cameras the user
// may not see are blanked.
func (s *Server) stationLayout(st *catalog.Station, saved map[string]store.Layout, u auth.User) catalog.Layout {
	l := st.Layout
	if sl, ok := saved[st.ID]; ok {
		l = catalog.Layout{Grid: sl.Grid, Cameras: sl.Cameras}
	}
	return catalog.Layout{Grid: l.Grid, Cameras: s.visibleCameras(u, l.Cameras)}
}

// savedStationDefaults returns, per station, the newest station layout
// whose owner is an admin. Only admins set what a station opens with;
// operators' station layouts are offered beside it. Errors leave the
// config defaults in force: a station list must not fail over layouts.
func (s *Server) savedStationDefaults(ctx context.Context) map[string]store.Layout {
	out := map[string]store.Layout{}
	if s.opts.Layouts == nil {
		return out
	}
	all, err := s.opts.Layouts.ListLayouts(ctx, "")
	if err != nil {
		s.log.Warn("station layouts", "err", err)
		return out
	}
	admins := map[string]bool{}
	for _, l := range all {
		if l.Station == "" {
			continue
		}
		isAdmin, known := admins[l.Owner]
		if !known {
			owner, err := s.opts.Layouts.GetUser(ctx, l.Owner)
			isAdmin = err == nil && !owner.Disabled && auth.Role(owner.Role) == auth.RoleAdmin
			admins[l.Owner] = isAdmin
		}
		if cur, ok := out[l.Station]; isAdmin && (!ok || l.UpdatedAt.After(cur.UpdatedAt)) {
			out[l.Station] = l
		}
	}
	return out
}
