package signal

// TileView names a group of console tiles: the camera shown and the mode,
// ModeLive or ModePlayback.
type TileView struct{ Camera, Mode string }

// TilesShowing returns how many tiles of the open consoles (video walls
// included) show each camera, by mode; read by the gateway's metrics at
// scrape time.
func (s *Server) TilesShowing() map[TileView]int {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	out := make(map[TileView]int)
	for _, c := range conns {
		c.mu.Lock()
		for _, t := range c.shown {
			if t.camera != "" && t.mode != "" {
				out[TileView{Camera: t.camera, Mode: t.mode}]++
			}
		}
		c.mu.Unlock()
	}
	return out
}
