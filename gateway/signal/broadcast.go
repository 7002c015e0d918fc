package signal

// Broadcast sends msg to every console whose user may see station; a
// message of no station ("", a node's or the disk's alarm) goes only to
// users of every station. It never blocks: a console too slow to take it
// is dropped, as for any message.
func (s *Server) Broadcast(station string, msg any) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		u := c.currentUser()
		if (station == "" && len(u.Stations) == 0) || (station != "" && u.CanSeeStation(station)) {
			c.send(msg)
		}
	}
}
