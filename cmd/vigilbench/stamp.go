package main

import (
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// stampConn is a viewer's UDP socket that notes when the kernel received
// the last packet of each frame (the RTP marker; the RTP header is not
// encrypted by SRTP). Latency and time to first frame are taken at the
// socket, so the delays of pion's receive pipeline in this process,
// several goroutine hand-offs per packet, are not blamed on the gateway.
type stampConn struct {
	*net.UDPConn
	oob    []byte // used by the one mux reader goroutine only
	kernel bool   // SO_TIMESTAMPNS is on
	mu     sync.Mutex
	ring   [64]frameArrival
	next   int
}

type frameArrival struct {
	ts   uint32
	at   time.Time // kernel timestamp
	read time.Time // when this process read it
}

func newStampConn(c *net.UDPConn) *stampConn {
	s := &stampConn{UDPConn: c, oob: make([]byte, 128)}
	if raw, err := c.SyscallConn(); err == nil {
		_ = raw.Control(func(fd uintptr) {
			s.kernel = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1) == nil
		})
	}
	return s
}

// ReadFromAddrPort is what pion's UDP mux reads with.
func (s *stampConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, oobn, _, addr, err := s.ReadMsgUDPAddrPort(b, s.oob)
	if err != nil {
		return n, addr, err
	}
	if n >= 12 && b[0]>>6 == 2 && b[1]&0x80 != 0 {
		if pt := b[1] & 0x7f; pt < 64 || pt > 95 { // not RTCP (RFC 5761)
			s.note(uint32(b[4])<<24|uint32(b[5])<<16|uint32(b[6])<<8|uint32(b[7]), s.arrival(oobn), time.Now())
		}
	}
	return n, addr, nil
}

// ReadFrom serves readers that do not use netip addresses.
func (s *stampConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := s.ReadFromAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(addr), nil
}

// arrival is the kernel's receive time, or now.
func (s *stampConn) arrival(oobn int) time.Time {
	if !s.kernel || oobn == 0 {
		return time.Now()
	}
	msgs, err := syscall.ParseSocketControlMessage(s.oob[:oobn])
	if err != nil {
		return time.Now()
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SO_TIMESTAMPNS &&
			len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
			ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Sec, ts.Nsec)
		}
	}
	return time.Now()
}

func (s *stampConn) note(ts uint32, at, read time.Time) {
	s.mu.Lock()
	s.ring[s.next] = frameArrival{ts: ts, at: at, read: read}
	s.next = (s.next + 1) % len(s.ring)
	s.mu.Unlock()
}

// arrived returns when the marker packet of the frame with RTP timestamp
// ts reached the socket, and when this process read it.
func (s *stampConn) arrived(ts uint32) (frameArrival, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.ring {
		if a := s.ring[i]; a.ts == ts && !a.at.IsZero() {
			return a, true
		}
	}
	return frameArrival{}, false
}
