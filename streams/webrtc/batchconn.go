package webrtc

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Batched sends. A feed writes the RTP packets of a frame back to back,
// each through pion's SRTP and ICE layers to this socket; one sendmsg per
// packet (~5 µs on loopback) was the largest part of the gateway's CPU,
// and every writer queued on the socket's lock. batchConn holds a frame's
// full-size fragments per viewer address and sends them with the frame's
// last packet in one sendmsg with UDP segmentation offload (Linux
// UDP_SEGMENT), ~0.5 µs a packet. Anything else (RTCP, STUN, DTLS, a
// marker or smaller packet) flushes what is held first, so the wire order
// is the write order. A janitor flushes what waits longer than
// batchMaxHold (a lone NACK retransmission). Without GSO (another OS, an
// old kernel: the first refused send tells) packets go one by one.
const (
	batchMinPacket  = 1000 // a full-size video fragment is ~1230 bytes with SRTP
	batchMaxPackets = 64   // UDP_MAX_SEGMENTS of older kernels
	batchMaxBytes   = 60_000
	batchMaxHold    = 2 * time.Millisecond
	batchSweep      = 5 * time.Millisecond
	batchIdlePeer   = time.Minute
	udpSegmentOpt   = 103 // UDP_SEGMENT
	solUDP          = 17  // SOL_UDP
)

type batchConn struct {
	*net.UDPConn
	gso atomic.Bool
	// mu guards dsts. Every packet looks its destination up, so the
	// lookup takes the read lock: writers of many feeds queue only on
	// their own destination's batch, never on one another's.
	mu   sync.RWMutex
	dsts map[netip.AddrPort]*batch
	// held and idle are the janitor's, reused by every sweep so that a
	// sweep every few milliseconds allocates nothing.
	held []heldBatch
	idle []netip.AddrPort
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

// batchBuffers hold a frame from its first fragment to its flush.
var batchBuffers = sync.Pool{New: func() any { return new([batchMaxBytes + 2048]byte) }}

// heldBatch is a destination's batch as a sweep saw it in the map.
type heldBatch struct {
	addr netip.AddrPort
	b    *batch
}

// batch is what is held for one destination.
type batch struct {
	mu    sync.Mutex
	mem   *[batchMaxBytes + 2048]byte // from batchBuffers while n > 0
	buf   []byte
	seg   int // the size of each packet in buf (the last may be smaller)
	n     int
	since time.Time
	used  time.Time
	oob   []byte
	gone  bool // dropped from the map by the janitor
}

func newBatchConn(c *net.UDPConn) *batchConn {
	b := &batchConn{UDPConn: c, dsts: make(map[netip.AddrPort]*batch), quit: make(chan struct{}), done: make(chan struct{})}
	if runtime.GOOS == "linux" {
		b.gso.Store(true)
		go b.janitor()
	} else {
		close(b.done)
	}
	return b
}

// ReadFromAddrPort with WriteToAddrPort keeps pion's mux on netip
// addresses, as with a plain *net.UDPConn.
func (c *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return c.UDPConn.ReadFromUDPAddrPort(p)
}

// WriteTo serves pion's writes that carry a net.Addr.
func (c *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return c.UDPConn.WriteTo(p, addr)
	}
	return c.WriteToAddrPort(p, ua.AddrPort())
}

// WriteToAddrPort holds full-size fragments and sends the rest, with what
// is held for the same address, at once.
func (c *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if !c.gso.Load() {
		return c.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port()) // one key per peer
	b := c.dest(addr)
	defer b.mu.Unlock()
	fits := b.n > 0 && len(p) <= b.seg && b.n < batchMaxPackets && len(b.buf)+len(p) <= batchMaxBytes
	if fragment(p) {
		if b.n > 0 && (!fits || len(p) != b.seg) {
			c.flush(b, addr)
		}
		if b.n == 0 {
			b.mem = batchBuffers.Get().(*[batchMaxBytes + 2048]byte)
			b.buf, b.seg, b.since = b.mem[:0], len(p), time.Now()
		}
		b.buf = append(b.buf, p...)
		b.n++
		return len(p), nil
	}
	if fits {
		b.buf = append(b.buf, p...)
		b.n++
		return len(p), c.flush(b, addr)
	}
	c.flush(b, addr)
	return c.UDPConn.WriteToUDPAddrPort(p, addr)
}

// fragment reports a full-size RTP packet without the marker bit: more
// of its frame follows. RTCP has the bit's position set (types 200-206).
func fragment(p []byte) bool {
	return len(p) >= batchMinPacket && p[0]>>6 == 2 && p[1]&0x80 == 0
}

// dest returns addr's batch, locked.
func (c *batchConn) dest(addr netip.AddrPort) *batch {
	for {
		c.mu.RLock()
		b, ok := c.dsts[addr]
		c.mu.RUnlock()
		if !ok {
			c.mu.Lock()
			if b, ok = c.dsts[addr]; !ok {
				b = &batch{}
				c.dsts[addr] = b
			}
			c.mu.Unlock()
		}
		b.mu.Lock()
		if !b.gone {
			return b
		}
		b.mu.Unlock() // the janitor just dropped it: take the new one
	}
}

// flush sends what b holds; called with b locked.
func (c *batchConn) flush(b *batch, addr netip.AddrPort) error {
	if b.n == 0 {
		return nil
	}
	defer func() {
		batchBuffers.Put(b.mem)
		b.mem, b.buf, b.n, b.used = nil, nil, 0, time.Now()
	}()
	if b.n == 1 {
		_, err := c.UDPConn.WriteToUDPAddrPort(b.buf, addr)
		return err
	}
	if b.oob == nil {
		b.oob = make([]byte, cmsgSpace)
	}
	_, _, err := c.UDPConn.WriteMsgUDPAddrPort(b.buf, segmentCmsg(b.oob, b.seg), addr)
	if err == nil || !gsoRefused(err) {
		return err
	}
	// No GSO here: send each packet, and from now on never batch.
	c.gso.Store(false)
	for off := 0; off < len(b.buf); off += b.seg {
		if _, err = c.UDPConn.WriteToUDPAddrPort(b.buf[off:min(off+b.seg, len(b.buf))], addr); err != nil {
			return err
		}
	}
	return nil
}

// gsoRefused tells a kernel or device without UDP GSO.
func gsoRefused(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	return errno == syscall.EINVAL || errno == syscall.EIO || errno == syscall.ENOPROTOOPT || errno == syscall.EOPNOTSUPP
}

// CMSG_LEN(0) and CMSG_SPACE(2) of a cmsghdr (size_t length, two ints).
var (
	cmsgHeader = strconv.IntSize/8 + 8
	cmsgSpace  = cmsgHeader + strconv.IntSize/8
)

// segmentCmsg writes the UDP_SEGMENT message for seg-byte segments.
func segmentCmsg(oob []byte, seg int) []byte {
	clear(oob)
	if strconv.IntSize == 64 {
		binary.NativeEndian.PutUint64(oob, uint64(cmsgHeader+2))
	} else {
		binary.NativeEndian.PutUint32(oob, uint32(cmsgHeader+2))
	}
	binary.NativeEndian.PutUint32(oob[strconv.IntSize/8:], solUDP)
	binary.NativeEndian.PutUint32(oob[strconv.IntSize/8+4:], udpSegmentOpt)
	binary.NativeEndian.PutUint16(oob[cmsgHeader:], uint16(seg))
	return oob[:cmsgSpace]
}

// janitor flushes what is held too long and forgets idle addresses.
func (c *batchConn) janitor() {
	defer close(c.done)
	t := time.NewTicker(batchSweep)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case now := <-t.C:
			c.sweep(now)
		}
	}
}

// sweep flushes what is held too long, without the map's lock: a send
// under it would hold up every writer's lookup. Idle destinations are
// then dropped under it.
func (c *batchConn) sweep(now time.Time) {
	c.mu.RLock()
	for addr, b := range c.dsts {
		c.held = append(c.held, heldBatch{addr, b})
	}
	c.mu.RUnlock()
	idle := c.idle[:0]
	for _, h := range c.held {
		h.b.mu.Lock()
		if h.b.n > 0 && now.Sub(h.b.since) >= batchMaxHold {
			c.flush(h.b, h.addr)
		}
		if h.b.n == 0 && now.Sub(h.b.used) > batchIdlePeer {
			idle = append(idle, h.addr)
		}
		h.b.mu.Unlock()
	}
	clear(c.held) // a dropped destination's batch is not kept alive here
	c.held = c.held[:0]
	c.idle = idle
	if len(idle) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, addr := range idle {
		b, ok := c.dsts[addr]
		if !ok {
			continue
		}
		b.mu.Lock()
		if b.n == 0 && now.Sub(b.used) > batchIdlePeer { // still idle
			b.gone = true
			delete(c.dsts, addr)
		}
		b.mu.Unlock()
	}
}

func (c *batchConn) stop() {
	c.once.Do(func() { close(c.quit) })
	<-c.done
}
