package signal

import (
	"context"
	"net"
	"time"

	"vigil/gateway/audit"
)

// View is one tile showing one camera to one user: the unit the audit log
// records ("who watched what, when, for how long").
type View struct {
	User    string
	Remote  string
	Tile    int
	Camera  string
	Quality string
	Started time.Time
	// Playback is set for a tile playing a recording (from that time).
	Playback time.Time
}

// onViewStart and onViewEnd are the only places console views are
// reported: to the log and to the audit recorder, which never blocks.
func (s *Server) onViewStart(v View) {
	s.log.Info("view started", "user", v.User, "camera", v.Camera, "quality", v.Quality,
		"tile", v.Tile, "via", "tile", "remote", v.Remote)
	s.record(v, audit.ActionViewStart, nil)
}

func (s *Server) onViewEnd(v View) {
	d := time.Since(v.Started)
	s.log.Info("view ended", "user", v.User, "camera", v.Camera, "quality", v.Quality,
		"tile", v.Tile, "via", "tile", "remote", v.Remote, "duration", d.Round(time.Second))
	s.record(v, audit.ActionViewEnd, map[string]any{"duration_s": int64(d.Round(time.Second) / time.Second)})
}

func (s *Server) record(v View, action string, extra map[string]any) {
	if s.opts.Audit == nil {
		return
	}
	detail := map[string]any{"via": "tile", "tile": v.Tile, "quality": v.Quality, "ip": hostOf(v.Remote)}
	if !v.Playback.IsZero() {
		detail["mode"], detail["start"] = "playback", v.Playback.UTC().Format(time.RFC3339Nano)
	}
	for k, x := range extra {
		detail[k] = x
	}
	s.opts.Audit.Record(context.Background(), audit.Entry{User: v.User, Action: action, Camera: v.Camera, Detail: detail})
}

// hostOf drops the port: the audit log records the client's address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
