package signal

// ClipMsg is an export job's progress, sent to the consoles of the user
// who exported it (PROTOCOL.md "Server → client").
type ClipMsg struct {
	Type     string  `json:"type"` // "clip"
	ID       string  `json:"id"`
	Camera   string  `json:"camera"`
	Status   string  `json:"status"` // queued, running, done, failed
	Progress float64 `json:"progress"`
	Size     int64   `json:"size,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// SendToUser queues m on every open console of the user named user. It
// never blocks: a console that does not keep up is dropped as usual.
func (s *Server) SendToUser(user string, m ClipMsg) {
	m.Type = "clip"
	s.mu.Lock()
	conns := make([]*conn, 0, 2)
	for c := range s.conns {
		if c.currentUser().Name == user {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.send(m)
	}
}
