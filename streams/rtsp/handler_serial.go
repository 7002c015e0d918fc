package rtsp

import (
	"sync"
	"time"
)

// serialHandler keeps Handler's promise of one call at a time. Over TCP
// every callback comes from the connection's one reading goroutine, but
// over UDP gortsplib reads each track's socket on a goroutine of its own,
// so a camera's video and audio would reach the handler at once. The
// lock is taken once per access unit or audio packet, and over TCP nobody
// waits for it.
type serialHandler struct {
	mu sync.Mutex
	h  Handler
}

func (s *serialHandler) OnDescribe(d Description) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.OnDescribe(d)
}

func (s *serialHandler) OnAccessUnit(nalus [][]byte, pts90k int64, received time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.OnAccessUnit(nalus, pts90k, received)
}

func (s *serialHandler) OnAudio(frames [][]byte, ticks int64, received time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.OnAudio(frames, ticks, received)
}

func (s *serialHandler) OnDecodeError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.OnDecodeError(err)
}
