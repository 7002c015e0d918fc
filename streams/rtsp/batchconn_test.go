package rtsp

import (
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"vigil/internal/testwait"
)

// fixedDemand is a stream whose viewers the test decides.
type fixedDemand struct {
	watched atomic.Bool
	changed chan struct{}
}

func newFixedDemand(watched bool) *fixedDemand {
	d := &fixedDemand{changed: make(chan struct{})}
	d.watched.Store(watched)
	return d
}

func (d *fixedDemand) Watched() (bool, <-chan struct{}) { return d.watched.Load(), d.changed }

func (d *fixedDemand) watch() {
	d.watched.Store(true)
	close(d.changed)
}

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// pending is how many bytes wait unread in c's socket.
func pending(t *testing.T, c *net.TCPConn) int {
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ioErr error
	if err := raw.Control(func(fd uintptr) { n, ioErr = unix.IoctlGetInt(int(fd), unix.SIOCINQ) }); err != nil {
		t.Fatal(err)
	}
	if ioErr != nil {
		t.Fatal(ioErr)
	}
	return n
}

// neverTicks is a pacer whose tick does not come within a test, unless
// it fires it.
func neverTicks() *pacer { return &pacer{period: time.Hour} }

// awaited reports whether a tick is waited for.
func (p *pacer) awaited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next != nil
}

// fire rings the tick now waited for, if any.
func (p *pacer) fire() {
	p.mu.Lock()
	ch := p.next
	p.mu.Unlock()
	if ch != nil {
		p.ring(ch)
	}
}

func playingFlag(v bool) *atomic.Bool {
	b := new(atomic.Bool)
	b.Store(v)
	return b
}

type readResult struct {
	n   int
	err error
}

func readOnce(c net.Conn, size int) <-chan readResult {
	out := make(chan readResult, 1)
	go func() {
		n, err := c.Read(make([]byte, size))
		out <- readResult{n, err}
	}()
	return out
}

// frame is an interleaved frame on channel carrying size bytes in all.
func frame(channel byte, size int) []byte {
	b := make([]byte, size)
	b[0], b[1], b[2], b[3] = '$', channel, byte((size-frameHeader)>>8), byte(size-frameHeader)
	return b
}

func TestUnwatchedStreamIsReadInOneBatch(t *testing.T) {
	client, camera := tcpPair(t)
	demand := newFixedDemand(false)
	conn := newBatchedConn(client, demand, neverTicks(), playingFlag(true))
	got := readOnce(conn, 4096)
	for range 10 { // a frame as a run of packets, written one by one
		if _, err := camera.Write(frame(2, 100)); err != nil {
			t.Fatal(err)
		}
	}
	// Unbatched, the read would have taken the first packet as it came.
	testwait.For(t, "all ten packets waiting in the socket", func() bool { return pending(t, client) == 1000 })
	select {
	case r := <-got:
		t.Fatalf("read %d bytes while nobody watched and no tick came", r.n)
	default:
	}
	demand.watch() // a viewer arrives: the wait ends at once
	if r := <-got; r.err != nil || r.n != 1000 {
		t.Fatalf("read %d bytes (%v), want the ten packets in one read", r.n, r.err)
	}
}

func TestWatchedStreamIsReadAsItComes(t *testing.T) {
	client, camera := tcpPair(t)
	conn := newBatchedConn(client, newFixedDemand(true), neverTicks(), playingFlag(true))
	got := readOnce(conn, 4096)
	if _, err := camera.Write(frame(2, 100)); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r.err != nil || r.n != 100 {
		t.Fatalf("read %d bytes (%v), want the packet", r.n, r.err)
	}
}

func TestHandshakeIsNotBatched(t *testing.T) {
	client, camera := tcpPair(t)
	conn := newBatchedConn(client, newFixedDemand(false), neverTicks(), playingFlag(false))
	got := readOnce(conn, 4096)
	if _, err := camera.Write([]byte("RTSP/1.0 200 OK\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r.err != nil || r.n != 19 {
		t.Fatalf("read %d bytes (%v), want the response at once", r.n, r.err)
	}
}

func TestBufferIsServedBeforeTheNextWait(t *testing.T) {
	client, camera := tcpPair(t)
	conn := newBatchedConn(client, newFixedDemand(true), neverTicks(), playingFlag(true))
	for range 30 {
		if _, err := camera.Write(frame(2, 100)); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, "the packets waiting", func() bool { return pending(t, client) == 3000 })
	total := 0
	for total < 3000 { // small reads, as gortsplib's 4 kB bufio may make them
		n, err := conn.Read(make([]byte, 700))
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if conn.start != conn.end || total != 3000 {
		t.Fatalf("read %d bytes, buffer %d..%d", total, conn.start, conn.end)
	}
}

func TestCloseEndsTheWaitForATick(t *testing.T) {
	client, _ := tcpPair(t)
	conn := newBatchedConn(client, newFixedDemand(false), neverTicks(), playingFlag(true))
	got := readOnce(conn, 4096)
	conn.Close()
	if r := <-got; r.err == nil {
		t.Fatalf("read %d bytes from a closed connection", r.n)
	}
}

func TestPacerTicksForEveryWaiterAtOnce(t *testing.T) {
	p := &pacer{period: time.Millisecond}
	a, b := p.tick(), p.tick()
	if a != b {
		t.Fatal("two waiters of one period got different ticks")
	}
	<-a
	testwait.For(t, "a new tick after the last one fired", func() bool { return p.tick() != a })
	<-p.tick()
}

// TestQuietSocketWhileWaitingForATick: while a pull nobody watches waits
// for a tick, its socket's low-water mark keeps the packets that arrive
// from waking the network poller; a read that then finds nothing lowers
// the mark before it waits, so the next bytes are read as they come.
func TestQuietSocketWhileWaitingForATick(t *testing.T) {
	client, camera := tcpPair(t)
	demand := newFixedDemand(false)
	conn := newBatchedConn(client, demand, neverTicks(), playingFlag(true))
	got := readOnce(conn, 4096)
	testwait.For(t, "the low-water mark raised while waiting for a tick", func() bool { return lowat(t, client) == quietLowat })

	demand.watch() // the read goes on, finds nothing and waits for bytes
	testwait.For(t, "the read waiting for bytes", func() bool { return goroutineInIOWait("(*batchedConn).read") })
	if got := lowat(t, client); got != 1 {
		t.Fatalf("the read waits with a low-water mark of %d bytes", got)
	}
	if _, err := camera.Write(frame(2, 100)); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r.err != nil || r.n != 100 {
		t.Fatalf("read %d bytes (%v), want the packet", r.n, r.err)
	}
}

// TestQuietSocketReadsWhatCameBeforeTheTick: the packets that came while
// the mark was up are read whole at the tick, with no wait for more.
func TestQuietSocketReadsWhatCameBeforeTheTick(t *testing.T) {
	client, camera := tcpPair(t)
	p := neverTicks()
	conn := newBatchedConn(client, newFixedDemand(false), p, playingFlag(true))
	got := readOnce(conn, 4096)
	testwait.For(t, "the low-water mark raised while waiting for a tick", func() bool { return lowat(t, client) == quietLowat })
	for range 10 {
		if _, err := camera.Write(frame(2, 100)); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, "all ten packets waiting in the socket", func() bool { return pending(t, client) == 1000 })
	testwait.For(t, "the read waiting for a tick", p.awaited)
	p.fire()
	if r := <-got; r.err != nil || r.n != 1000 {
		t.Fatalf("read %d bytes (%v), want the ten packets", r.n, r.err)
	}
	if got := lowat(t, client); got != quietLowat {
		t.Fatalf("low-water mark %d after a read that found bytes, want it kept at %d", got, quietLowat)
	}
}

// lowat is c's SO_RCVLOWAT.
func lowat(t *testing.T, c *net.TCPConn) int {
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var optErr error
	if err := raw.Control(func(fd uintptr) { n, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT) }); err != nil {
		t.Fatal(err)
	}
	if optErr != nil {
		t.Fatal(optErr)
	}
	return n
}

// goroutineInIOWait reports whether a goroutine waits for a socket inside fn.
func goroutineInIOWait(fn string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) && strings.Contains(strings.SplitN(g, "\n", 2)[0], "IO wait") {
			return true
		}
	}
	return false
}
