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

	"golang.org/x/net/ipv4"
)

// Batched sends. A feed writes the RTP packets of a frame back to back,
// each through pion's SRTP and ICE layers to this socket; one sendmsg per
// packet (~5 µs on loopback) was the largest part of the gateway's CPU,
// and every writer queued on the socket's lock. batchConn holds a frame's
// packets per viewer address and sends them with the frame's last
// (marker) packet in one system call: each run of equal-size packets as
// one message with UDP segmentation offload (Linux UDP_SEGMENT), ~0.5 µs
// a packet, and the runs together with sendmmsg. A frame is rarely one
// run: a camera's SEI, a parameter set or a slice's short last fragment
// ends one (batchRuns). Held are full-size fragments and any packet
// without the marker bit of a payload type seen in one, so that a
// video's small packets wait for their frame while audio, whose packets
// are never full-size, goes out at once. Anything else (RTCP, STUN,
// DTLS, audio) flushes what is held first, so the wire order is the write
// order. A janitor flushes what waits longer than batchMaxHold (a lone
// NACK retransmission). Without GSO (another OS, an old kernel: the first
// refused send tells) packets go one by one.
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
	// batches sends several messages in one sendmmsg.
	batches *ipv4.PacketConn
	gso     atomic.Bool
	// mu guards dsts. Every packet looks its destination up, so the
	// lookup takes the read lock: writers of many feeds queue only on
	// their own destination's batch, never on one another's.
	mu   sync.RWMutex
	dsts map[netip.AddrPort]*batch
	// held and idle are the janitor's, reused by every sweep so that a
	// sweep every few milliseconds allocates nothing.
	held    []heldBatch
	idle    []netip.AddrPort
	idleFor time.Duration // batchIdlePeer but in tests
	// asleep is set while the janitor waits for something to be held,
	// and kick wakes it (hold).
	asleep atomic.Bool
	kick   chan struct{}
	quit   chan struct{}
	done   chan struct{}
	once   sync.Once
}

// batchBuffers hold a frame from its first packet to its flush.
var batchBuffers = sync.Pool{New: func() any { return new([batchMaxBytes + 2048]byte) }}

// heldBatch is a destination's batch as a sweep saw it in the map.
type heldBatch struct {
	addr netip.AddrPort
	b    *batch
}

// batch is what is held for one destination.
type batch struct {
	mu    sync.Mutex
	mem   *[batchMaxBytes + 2048]byte // from batchBuffers while packets are held
	buf   []byte
	sizes []int // of each packet in buf, in order
	since time.Time
	used  time.Time
	// video holds the payload types of the full-size fragments seen: a
	// packet of one of them without the marker bit is part of a frame.
	video payloadTypes
	// What a flush needs, made once: the address as sendmmsg takes it,
	// and the messages, buffers and UDP_SEGMENT messages of the runs.
	to   *net.UDPAddr
	runs []batchRun
	msgs []ipv4.Message
	bufs [][]byte
	oob  []byte
	gone bool // dropped from the map by the janitor
}

// payloadTypes is a set of RTP payload types (7 bits).
type payloadTypes [2]uint64

func (s *payloadTypes) add(pt byte)      { s[pt>>6&1] |= 1 << (pt & 63) }
func (s *payloadTypes) has(pt byte) bool { return s[pt>>6&1]&(1<<(pt&63)) != 0 }

func newBatchConn(c *net.UDPConn) *batchConn { return startBatchConn(c, batchIdlePeer) }

// startBatchConn is newBatchConn forgetting a destination idleFor after
// its last packet.
func startBatchConn(c *net.UDPConn, idleFor time.Duration) *batchConn {
	b := &batchConn{UDPConn: c, batches: ipv4.NewPacketConn(c), dsts: make(map[netip.AddrPort]*batch), idleFor: idleFor,
		kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
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

// WriteToAddrPort holds a frame's packets and sends them, with what is
// held for the same address, at its last.
func (c *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	if !c.gso.Load() {
		return c.UDPConn.WriteToUDPAddrPort(p, addr)
	}
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port()) // one key per peer
	b := c.dest(addr)
	defer b.mu.Unlock()
	rtp, marker := len(p) >= 2 && p[0]>>6 == 2, len(p) >= 2 && p[1]&0x80 != 0
	pt := byte(0)
	if len(p) >= 2 {
		pt = p[1] & 0x7f
	}
	if rtp && !marker && len(p) >= batchMinPacket {
		b.video.add(pt)
	}
	fits := len(b.sizes) < batchMaxPackets && len(b.buf)+len(p) <= batchMaxBytes
	switch {
	case rtp && !marker && b.video.has(pt): // more of its frame follows
		if !fits {
			c.flush(b, addr)
		}
		c.hold(b, p)
		return len(p), nil
	case len(b.sizes) > 0 && fits: // a frame's end, or RTCP after it
		c.hold(b, p)
		return len(p), c.flush(b, addr)
	}
	c.flush(b, addr)
	return c.UDPConn.WriteToUDPAddrPort(p, addr)
}

// hold appends p to what b holds, waking the janitor if it sleeps;
// called with b locked.
func (c *batchConn) hold(b *batch, p []byte) {
	if len(b.sizes) == 0 {
		b.mem = batchBuffers.Get().(*[batchMaxBytes + 2048]byte)
		b.buf, b.since = b.mem[:0], time.Now()
		if c.asleep.Load() && c.asleep.CompareAndSwap(true, false) {
			select {
			case c.kick <- struct{}{}:
			default:
			}
		}
	}
	b.buf = append(b.buf, p...)
	b.sizes = append(b.sizes, len(p))
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
				b = &batch{to: net.UDPAddrFromAddrPort(addr)}
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
	if len(b.sizes) == 0 {
		return nil
	}
	defer func() {
		batchBuffers.Put(b.mem)
		b.mem, b.buf, b.sizes, b.used = nil, nil, b.sizes[:0], time.Now()
	}()
	if len(b.sizes) == 1 {
		_, err := c.UDPConn.WriteToUDPAddrPort(b.buf, addr)
		return err
	}
	b.runs = batchRuns(b.runs[:0], b.sizes)
	if b.oob == nil {
		b.oob = make([]byte, cmsgSpace*batchMaxPackets)
	}
	var err error
	sent := 0 // bytes of b.buf sent before an error
	if len(b.runs) == 1 {
		_, _, err = c.UDPConn.WriteMsgUDPAddrPort(b.buf, segmentCmsg(b.oob, b.runs[0].seg), addr)
	} else {
		sent, err = c.sendRuns(b)
	}
	if err == nil || !gsoRefused(err) {
		return err
	}
	// Refused: GSO, or the destination itself (a socket bound to loopback
	// refuses any other address with the same EINVAL). The refused
	// message went out in no part: send the rest packet by packet. If a
	// packet goes, GSO is what was refused, and from now on nothing is
	// batched; if not, the viewer's frame is lost, as on a network.
	off := 0
	for _, n := range b.sizes {
		if off >= sent {
			if _, err = c.UDPConn.WriteToUDPAddrPort(b.buf[off:off+n], addr); err != nil {
				return err
			}
			c.gso.Store(false)
		}
		off += n
	}
	return nil
}

// sendRuns sends b's runs as the messages of one sendmmsg (more, if the
// kernel takes fewer at a time). It returns how many bytes of b.buf went
// out before an error.
func (c *batchConn) sendRuns(b *batch) (int, error) {
	b.msgs, b.bufs = b.msgs[:0], b.bufs[:0]
	off := 0
	for i, r := range b.runs {
		b.bufs = append(b.bufs, b.buf[off:off+r.bytes])
		off += r.bytes
		m := ipv4.Message{Buffers: b.bufs[i : i+1 : i+1], Addr: b.to}
		if r.packets > 1 {
			m.OOB = segmentCmsg(b.oob[i*cmsgSpace:], r.seg)
		}
		b.msgs = append(b.msgs, m)
	}
	sentBytes := 0
	for sent := 0; sent < len(b.msgs); {
		n, err := c.batches.WriteBatch(b.msgs[sent:], 0)
		n = max(n, 0) // -1 with an error: the call sent none
		for _, m := range b.msgs[sent : sent+n] {
			sentBytes += len(m.Buffers[0])
		}
		if err != nil {
			return sentBytes, err
		}
		sent += n
	}
	return sentBytes, nil
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

// janitor flushes what is held too long and forgets idle addresses. It
// ticks only while something is held: an engine nobody watches, as most
// are most of the time, must not wake every few milliseconds.
func (c *batchConn) janitor() {
	defer close(c.done)
	t := time.NewTicker(batchSweep)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case now := <-t.C:
			if c.sweep(now) > 0 {
				continue
			}
			if !c.sleep() {
				return
			}
			t.Reset(batchSweep)
		}
	}
}

// sleep waits until something is held (or an idle destination is due to
// be forgotten), and reports false when the conn stops meanwhile. A
// writer that starts holding after asleep is set sees it and kicks; one
// that started before is found by the sweep after it.
func (c *batchConn) sleep() bool {
	c.asleep.Store(true)
	if c.sweep(time.Now()) > 0 {
		c.wake()
		return true
	}
	forget := time.NewTimer(c.idleFor)
	defer forget.Stop()
	select {
	case <-c.quit:
		return false
	case <-c.kick:
	case <-forget.C:
		c.wake()
	}
	return true
}

// wake ends the janitor's sleep itself. If a writer ended it first, its
// kick is on the way and is taken, so that the next sleep does not end
// at once.
func (c *batchConn) wake() {
	if !c.asleep.CompareAndSwap(true, false) {
		<-c.kick
	}
}

// sweep flushes what is held too long, without the map's lock: a send
// under it would hold up every writer's lookup. Idle destinations are
// then dropped under it. It returns how many destinations still hold
// packets, not yet due.
func (c *batchConn) sweep(now time.Time) (holding int) {
	c.mu.RLock()
	for addr, b := range c.dsts {
		c.held = append(c.held, heldBatch{addr, b})
	}
	c.mu.RUnlock()
	idle := c.idle[:0]
	for _, h := range c.held {
		h.b.mu.Lock()
		if len(h.b.sizes) > 0 && now.Sub(h.b.since) >= batchMaxHold {
			c.flush(h.b, h.addr)
		}
		if len(h.b.sizes) > 0 {
			holding++
		}
		if len(h.b.sizes) == 0 && now.Sub(h.b.used) > c.idleFor {
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
		if len(b.sizes) == 0 && now.Sub(b.used) > c.idleFor { // still idle
			b.gone = true
			delete(c.dsts, addr)
		}
		b.mu.Unlock()
	}
	return
}

func (c *batchConn) stop() {
	c.once.Do(func() { close(c.quit) })
	<-c.done
}
