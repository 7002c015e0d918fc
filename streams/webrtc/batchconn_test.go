package webrtc

import (
	"bytes"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"vigil/internal/testwait"
)

// TestSweepHoldsUpNoOtherDestination: a destination whose send is slow
// (its batch held, as by a writer inside sendmsg on a loaded machine)
// holds up its own writers only. The janitor's sweep waits for it without
// the map's lock, so a write to another destination goes on meanwhile.
// (The sweep used to hold the map's lock while it waited and sent: every
// writer of every feed queued behind one slow send.)
func TestSweepHoldsUpNoOtherDestination(t *testing.T) {
	bc := newBatchConn(listenLoopback(t))
	defer bc.stop()
	slowAddr := listenLoopback(t).LocalAddr().(*net.UDPAddr).AddrPort()
	otherAddr := listenLoopback(t).LocalAddr().(*net.UDPAddr).AddrPort()
	if _, err := bc.WriteToAddrPort(rtpPacket(700, true, 1), slowAddr); err != nil {
		t.Fatal(err)
	}
	slow := bc.dest(slowAddr) // locked until released
	released := false
	release := func() {
		if !released {
			released = true
			slow.mu.Unlock()
		}
	}
	defer release() // on failure too: the janitor must end for stop

	testwait.For(t, "the janitor's sweep waiting on the slow destination", func() bool {
		return goroutineBlockedIn("(*batchConn).sweep")
	})
	wrote := make(chan error, 1)
	go func() {
		_, err := bc.WriteToAddrPort(rtpPacket(700, true, 2), otherAddr)
		wrote <- err
	}()
	testwait.For(t, "a write to another destination while the slow one is held", func() bool { return len(wrote) == 1 })
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	release()
}

// TestSweepAllocatesNothing: the janitor sweeps every few milliseconds
// on every engine, so a sweep that finds nothing to do allocates nothing
// (it used to copy the destinations' map each time).
func TestSweepAllocatesNothing(t *testing.T) {
	bc := newBatchConn(listenLoopback(t))
	bc.stop()      // the test sweeps in the janitor's place
	for range 20 { // consoles: more than a map kept on the stack holds
		addr := listenLoopback(t).LocalAddr().(*net.UDPAddr).AddrPort()
		for seq, marker := range []bool{false, true} { // a frame: held, then sent
			if _, err := bc.WriteToAddrPort(rtpPacket(1200, marker, byte(seq)), addr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(bc.dsts) != 20 {
		t.Fatalf("%d destinations, want 20", len(bc.dsts))
	}
	if n := testing.AllocsPerRun(100, func() { bc.sweep(time.Now()) }); n != 0 {
		t.Fatalf("a sweep allocates %v times", n)
	}
}

// goroutineBlockedIn reports whether a goroutine waits on a lock inside fn.
func goroutineBlockedIn(fn string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) && strings.Contains(strings.SplitN(g, "\n", 2)[0], "Lock") {
			return true
		}
	}
	return false
}

// TestBatchConnHoldsAFrameNotAudio: a video's packets wait for their
// frame's marker, its small ones too (an SEI, a parameter set, a slice's
// short end), once a full-size fragment has shown its payload type;
// audio, never full-size, goes out at once.
func TestBatchConnHoldsAFrameNotAudio(t *testing.T) {
	bc := newBatchConn(listenLoopback(t))
	bc.stop() // no janitor: what is held stays held
	if !bc.gso.Load() {
		t.Skip("no GSO on this OS: nothing is held")
	}
	dst := listenLoopback(t).LocalAddr().(*net.UDPAddr).AddrPort()
	held := func() int {
		b := bc.dest(dst)
		defer b.mu.Unlock()
		return len(b.sizes)
	}
	steps := []struct {
		what string
		p    []byte
		held int
	}{
		{"audio", audioPacket(1), 0},
		{"a small video packet before any fragment", rtpPacket(60, false, 2), 0},
		{"a full-size fragment", rtpPacket(1228, false, 3), 1},
		{"its frame's end", rtpPacket(700, true, 4), 0},
		{"an SEI", rtpPacket(60, false, 5), 1},
		{"a fragment", rtpPacket(1228, false, 6), 2},
		{"a slice's short end", rtpPacket(400, false, 7), 3},
		{"audio, sent with what is held", audioPacket(8), 0},
		{"a parameter set", rtpPacket(30, false, 9), 1},
		{"an RTCP report, sent with it", []byte{0x80, 200, 0, 6, 1, 2, 3, 4}, 0},
	}
	for _, s := range steps {
		if _, err := bc.WriteToAddrPort(s.p, dst); err != nil {
			t.Fatal(err)
		}
		if got := held(); got != s.held {
			t.Fatalf("after %s: %d packets held, want %d", s.what, got, s.held)
		}
	}
}

// TestJanitorSleepsWhileNothingIsHeld: the janitor stops ticking when
// nothing is held (an engine nobody watches woke 200 times a second for
// nothing), and a packet held afterwards wakes it to send the packet.
// (It also wakes to forget idle destinations: not before the test ends.)
func TestJanitorSleepsWhileNothingIsHeld(t *testing.T) {
	bc := startBatchConn(listenLoopback(t), 24*time.Hour)
	defer bc.stop()
	if !bc.gso.Load() {
		t.Skip("no GSO on this OS: no janitor")
	}
	rx := listenLoopback(t)
	dst := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	for round := range 3 {
		testwait.For(t, "the janitor asleep", bc.asleep.Load)
		lone := rtpPacket(1228, false, byte(round)) // a retransmission: no frame end follows
		if _, err := bc.WriteToAddrPort(lone, dst); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2048)
		var n int
		testwait.For(t, "the janitor sending the held packet", func() bool {
			rx.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			var err error
			n, err = rx.Read(buf)
			return err == nil
		})
		if !bytes.Equal(buf[:n], lone) {
			t.Fatalf("round %d: got % x…, want % x…", round, buf[:4], lone[:4])
		}
	}
}

// TestUnreachableViewerLosesItsFrameAlone: a viewer the kernel refuses to
// send to (here an address this loopback socket cannot reach, EINVAL as
// from a kernel without GSO) loses its frames, a frame of several runs
// too, and nothing else: the engine neither panics (a refused sendmmsg
// returned -1, which sliced out of range) nor stops batching for the
// others, whose frames arrive whole and in order.
func TestUnreachableViewerLosesItsFrameAlone(t *testing.T) {
	bc := newBatchConn(listenLoopback(t))
	defer bc.stop()
	if !bc.gso.Load() {
		t.Skip("no GSO on this OS: nothing is batched")
	}
	rx := listenLoopback(t)
	good := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	unreachable := netip.MustParseAddrPort("192.0.2.1:9") // TEST-NET-1
	// Fragments, an SEI inside, more fragments and a short end: two runs.
	frame := func(first byte) [][]byte {
		return [][]byte{rtpPacket(1228, false, first), rtpPacket(60, false, first+1),
			rtpPacket(1228, false, first+2), rtpPacket(1228, false, first+3), rtpPacket(700, true, first+4)}
	}
	var sent [][]byte
	for i := range 3 {
		for _, p := range frame(byte(i * 10)) {
			bc.WriteToAddrPort(p, unreachable) // an error or not, as the kernel says
		}
		f := frame(byte(i*10 + 5))
		for _, p := range f {
			if _, err := bc.WriteToAddrPort(p, good); err != nil {
				t.Fatal(err)
			}
		}
		sent = append(sent, f...)
	}
	if !bc.gso.Load() {
		t.Fatal("GSO turned off by one viewer's refused frames")
	}
	expectPackets(t, rx, sent)
}
