package rtsp

import (
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Demand tells a pull whether anyone needs its frames the moment they
// arrive (hub.Hub implements it).
type Demand interface {
	// Watched reports whether a live viewer reads the stream, and returns
	// a channel closed when that changes.
	Watched() (bool, <-chan struct{})
}

// BatchPeriod is how long the packets of a camera nobody watches may wait
// in the socket before they are read. A camera sends a frame as a run of
// packets, and reading each as it comes costs a wake-up per packet: most
// of what an idle camera costs. Reading once per period instead takes a
// few frames per read, and the GOP cache and the recorder do not mind
// being 100 ms behind (the recorder's wall clock is anchored at an
// arrival, so up to that late). A viewer arriving ends the wait at once.
//
// 100 ms rather than 50 halves the reads of an idle node (vigilbench
// idle, 50 cameras, side by side on a quiet machine: 0.028–0.035 cores
// against 0.038–0.043, three repetitions each). Before the socket's
// low-water mark (quietLowat) the poller's wake-ups were the cost, and
// the period did not matter (README, Performance, 2026-12-07 05:15).
const BatchPeriod = 100 * time.Millisecond

// A watched camera is read as its packets come: waiting up to 2 ms for a
// frame's burst to be in before reading it cost more than it saved
// (vigilbench ingest, 50 cameras × 1 viewer, side by side on a quiet
// machine: 0.186 cores against 0.167 reading at once, latency p50 1.6 ms
// against 0.4 ms).

// batchReadSize is what one read may take: a batch of a 4 Mbit/s camera
// (50 kB in 100 ms), beside the start of a frame of the video channel
// left from the read before, which must be whole in the buffer to be
// taken out (up to 64 kB). A read that fills what is free of it is
// followed by another at once, so a larger batch costs a second read, not
// a wait.
const batchReadSize = 96 << 10

// quietLowat is the socket's receive low-water mark while its pull waits
// for a tick (SO_RCVLOWAT): more than a period of any camera's bytes
// (40 Mbit/s at 100 ms). Below it Linux does not signal the socket
// readable, so the packets that arrive while nobody reads no longer wake
// the runtime's network poller one by one; that had made the poller and
// the scheduler a third of an idle node's CPU.
const quietLowat = 512 << 10

// heartbeatPeriod is how often gortsplib is told that video frames were
// taken out of its stream (queueHeartbeat). gortsplib keeps the time of
// the last frame it read in whole seconds, so a session whose beats come
// this often looks to it as one whose every frame it read, to within a
// quarter of a second.
const heartbeatPeriod = 250 * time.Millisecond

// batchedConn reads a pull's TCP connection through a buffer of its own,
// while its stream is not watched only once per pacer tick, and takes the
// video's frames out of what gortsplib reads once the pull arms it
// (divert).
type batchedConn struct {
	net.Conn
	raw     syscall.RawConn // nil: no SO_RCVLOWAT (not a socket)
	quiet   bool            // the low-water mark is quietLowat (quieten)
	demand  Demand          // nil: read as the bytes come
	pacer   *pacer
	playing *atomic.Bool // batching starts once the session plays

	buf   []byte
	start int
	end   int
	full  bool // the last read filled buf: more is waiting, read again at once
	split splitter
	video atomic.Pointer[diversion]
	taken atomic.Uint64 // frames taken out

	diverted  bool      // frames were taken out since the last heartbeat
	lastBeat  time.Time // when the last heartbeat was queued
	beat      []byte    // what is left of a queued heartbeat
	closed    chan struct{}
	closeOnce sync.Once
}

func newBatchedConn(c net.Conn, demand Demand, p *pacer, playing *atomic.Bool) *batchedConn {
	b := &batchedConn{Conn: c, demand: demand, pacer: p, playing: playing,
		buf: make([]byte, batchReadSize), closed: make(chan struct{})}
	if sc, ok := c.(syscall.Conn); ok && runtime.GOOS == "linux" {
		b.raw, _ = sc.SyscallConn()
	}
	return b
}

// diversion is the channel whose frames are taken out, and what takes
// them (on gortsplib's reading goroutine, each valid only during the
// call).
type diversion struct {
	channel int
	take    func(frame []byte)
}

// divert takes the frames of channel out of what gortsplib reads from now
// on and hands their payloads to take.
func (c *batchedConn) divert(channel int, take func(frame []byte)) {
	c.video.Store(&diversion{channel, take})
}

// Read hands gortsplib the next bytes of the stream that are not taken
// out, refilling the buffer as needed.
func (c *batchedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if n := c.pass(p); n > 0 {
			return n, nil
		}
		if c.queueHeartbeat() {
			continue
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
}

// pass copies into p what comes next for gortsplib, taking out the
// diverted frames it meets on the way, until p is full or the buffer
// holds nothing more for gortsplib yet.
func (c *batchedConn) pass(p []byte) int {
	v := c.video.Load()
	divert := -1
	if v != nil {
		divert = v.channel
	}
	n := 0
	for n < len(p) {
		var k int
		switch {
		case len(c.beat) > 0 && c.split.passing == 0: // between two messages
			k = copy(p[n:], c.beat)
			c.beat = c.beat[k:]
		case c.start == c.end:
			return n
		case c.split.lost:
			k = copy(p[n:], c.buf[c.start:c.end])
			c.start += k
		case c.split.passing > 0:
			k = copy(p[n:], c.buf[c.start:min(c.end, c.start+c.split.passing)])
			c.start += k
			c.split.passing -= k
		default:
			st, size := c.split.next(c.buf[c.start:c.end], divert)
			switch st {
			case stepMore:
				return n
			case stepPass:
				c.split.passing = size
			case stepDivert:
				v.take(c.buf[c.start+frameHeader : c.start+size])
				c.start += size
				c.diverted = true
				c.taken.Add(1)
			}
		}
		n += k
	}
	return n
}

// fill waits for the next tick while nobody watches (and the last read
// left nothing behind), then reads whatever the socket holds behind what
// the buffer still holds (the start of a message).
func (c *batchedConn) fill() error {
	if c.start > 0 {
		c.end = copy(c.buf, c.buf[c.start:c.end])
		c.start = 0
	}
	if c.end == len(c.buf) {
		// The buffer holds the start of one message and no boundary was
		// found in it (splitter's limits keep this from happening): give
		// up splitting rather than wait for room that never comes.
		c.split.lost = true
		return nil
	}
	if c.demand != nil && c.playing.Load() && !c.full {
		if watched, changed := c.demand.Watched(); !watched {
			c.quieten()
			select {
			case <-c.pacer.tick():
			case <-changed:
			case <-c.closed:
				return net.ErrClosed
			}
		}
	}
	n, err := c.read(c.buf[c.end:])
	c.full = n == len(c.buf)-c.end
	c.end += n
	if n > 0 {
		return nil // an error comes again with the next read
	}
	return err
}

// quieten raises the socket's low-water mark to quietLowat while the pull
// waits for ticks. It stays there from tick to tick: read lowers it
// before it ever waits for bytes.
func (c *batchedConn) quieten() {
	if c.quiet || c.raw == nil {
		return
	}
	c.quiet = true
	c.raw.Control(func(fd uintptr) {
		if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT, quietLowat); err != nil {
			c.quiet = false // not a TCP socket of this kernel: read as before
		}
	})
}

// read reads what the socket holds. While quiet, the socket would not be
// signalled readable before quietLowat bytes, so a read that finds
// nothing lowers the mark back to one byte before it waits: a read never
// waits on the quiet mark.
func (c *batchedConn) read(p []byte) (int, error) {
	if !c.quiet {
		return c.Conn.Read(p)
	}
	var n int
	var readErr error
	err := c.raw.Read(func(fd uintptr) bool {
		for {
			n, readErr = syscall.Read(int(fd), p)
			if readErr != syscall.EINTR {
				break
			}
		}
		if readErr != syscall.EAGAIN {
			return true
		}
		// Lowering the mark signals the socket readable if bytes came
		// after the read: none is missed.
		unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT, 1)
		c.quiet = false
		return false
	})
	switch {
	case err != nil: // closed, or past the deadline gortsplib set
		return 0, err
	case readErr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", readErr)}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// queueHeartbeat keeps gortsplib's watchdog fed while the video is taken
// out of its stream, and reports whether it queued a heartbeat. gortsplib
// ends a TCP session whose frames stop for its read timeout, and counts
// as frames only those it reads itself; once a heartbeat period in which
// video frames were taken out, it is handed one empty RTCP receiver report on
// the video's RTCP channel, which it reads and drops. A camera that stops
// sending gets none, and times out as before.
func (c *batchedConn) queueHeartbeat() bool {
	if !c.diverted {
		return false
	}
	now := time.Now()
	if now.Sub(c.lastBeat) < heartbeatPeriod {
		return false
	}
	c.diverted, c.lastBeat = false, now
	c.beat = heartbeatFrame(c.video.Load().channel + 1)
	return true
}

// heartbeatFrame is an interleaved frame on channel holding an RTCP
// receiver report without report blocks (RFC 3550 6.4.2), of SSRC 0.
func heartbeatFrame(channel int) []byte {
	return []byte{'$', byte(channel), 0, 8, 0x80, 201, 0, 1, 0, 0, 0, 0}
}

// Close ends a wait for a tick as well as the connection.
func (c *batchedConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// pacer is one clock for every batched pull, so the pulls that wait wake
// together, once per period, and no timer runs while none waits.
type pacer struct {
	period time.Duration
	mu     sync.Mutex
	next   chan struct{} // closed at the next tick; nil while none waits
}

// batchPacer paces every pull of this process.
var batchPacer = &pacer{period: BatchPeriod}

// tick returns a channel closed at the next tick.
func (p *pacer) tick() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next == nil {
		ch := make(chan struct{})
		p.next = ch
		time.AfterFunc(p.period, func() { p.ring(ch) })
	}
	return p.next
}

// ring ends the wait for tick ch, unless it ended already.
func (p *pacer) ring(ch chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next == ch {
		p.next = nil
		close(ch)
	}
}
