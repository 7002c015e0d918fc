package webrtc

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// rtpPacket is a fake SRTP packet of size bytes: version 2, the marker
// bit as given, seq in its payload so the receiver can check the order.
func rtpPacket(size int, marker bool, seq byte) []byte {
	p := bytes.Repeat([]byte{seq}, size)
	p[0], p[1] = 0x80, 102
	if marker {
		p[1] |= 0x80
	}
	return p
}

// audioPacket is a fake SRTP audio packet: small, no marker bit and a
// payload type of its own (Opus's 111).
func audioPacket(seq byte) []byte {
	p := rtpPacket(120, false, seq)
	p[1] = 111
	return p
}

func listenLoopback(t testing.TB) *net.UDPConn {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestBatchConnKeepsOrderAndSizes sends frames, RTCP and a lone
// retransmission through a batchConn, from an IPv4 socket and from a
// dual-stack one (the engine's default ":8189"): the receiver sees every
// packet, in order, with its own size, whether GSO is there or not.
func TestBatchConnKeepsOrderAndSizes(t *testing.T) {
	t.Run("udp4", func(t *testing.T) { testBatchConn(t, listenLoopback(t)) })
	t.Run("dual-stack", func(t *testing.T) {
		c, err := net.ListenUDP("udp", &net.UDPAddr{})
		if err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { c.Close() })
		testBatchConn(t, c)
	})
}

func testBatchConn(t *testing.T, tx *net.UDPConn) {
	rx := listenLoopback(t)
	bc := newBatchConn(tx)
	defer bc.stop()
	dst := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	var sent [][]byte
	send := func(p []byte) {
		sent = append(sent, p)
		if _, err := bc.WriteToAddrPort(p, dst); err != nil {
			t.Fatal(err)
		}
	}
	seq := byte(0)
	next := func() byte { seq++; return seq }
	for range 3 { // frames of 5 full fragments and a short end
		for range 5 {
			send(rtpPacket(1228, false, next()))
		}
		send(rtpPacket(700, true, next()))
	}
	send(rtpPacket(60, false, next())) // an SEI: a run of its own
	for range 5 {
		send(rtpPacket(1228, false, next()))
	}
	send(rtpPacket(700, true, next()))
	for range 2 { // a frame of two slices: two runs
		for range 3 {
			send(rtpPacket(1228, false, next()))
		}
		send(rtpPacket(500, false, next()))
	}
	send(audioPacket(next()))
	send([]byte{0x80, 200, 0, 6, 1, 2, 3, 4}) // an RTCP sender report
	send(rtpPacket(1228, false, next()))      // a retransmission: the janitor sends it
	send(rtpPacket(1300, false, next()))      // bigger: flushes the one before
	send(rtpPacket(1228, true, next()))       // bigger than the batch's packets

	expectPackets(t, rx, sent)
	t.Logf("GSO in use: %v", bc.gso.Load())
}

// expectPackets reads the packets sent from rx, failing on one missing,
// out of order or of another size.
func expectPackets(t *testing.T, rx *net.UDPConn, sent [][]byte) {
	t.Helper()
	buf := make([]byte, 2048)
	rx.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i, want := range sent {
		n, err := rx.Read(buf)
		if err != nil {
			t.Fatalf("packet %d of %d: %v", i, len(sent), err)
		}
		if !bytes.Equal(buf[:n], want) {
			t.Fatalf("packet %d: got %d bytes starting % x, want %d bytes % x", i, n, buf[:min(n, 4)], len(want), want[:4])
		}
	}
}

// BenchmarkUDPWrite compares writing 9-packet frames (8 full fragments
// and a short end, as a 10 kB P-frame), and the same after an SEI, to a
// loopback viewer one sendmsg per packet and through batchConn. CPU per
// packet includes the kernel's delivery to the reader, which runs in the
// sender's system call on loopback.
func BenchmarkUDPWrite(b *testing.B) {
	slice := make([][]byte, 9)
	for i := range slice {
		slice[i] = rtpPacket(1228, i == len(slice)-1, byte(i))
	}
	slice[8] = slice[8][:400]
	withSEI := append([][]byte{rtpPacket(60, false, 9)}, slice...)
	for _, shape := range []struct {
		name  string
		frame [][]byte
	}{{"slice", slice}, {"sei+slice", withSEI}} {
		for _, mode := range []string{"per-packet", "batched"} {
			b.Run(shape.name+"/"+mode, func(b *testing.B) { benchmarkUDPWrite(b, shape.frame, mode) })
		}
	}
}

func benchmarkUDPWrite(b *testing.B, frame [][]byte, mode string) {
	rx := listenLoopback(b)
	_ = rx.SetReadBuffer(8 << 20)
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, err := rx.Read(buf); err != nil {
				return
			}
		}
	}()
	tx := listenLoopback(b)
	dst := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	write := tx.WriteToUDPAddrPort
	if mode == "batched" {
		bc := newBatchConn(tx)
		defer bc.stop()
		write = bc.WriteToAddrPort
	}
	m := startPerPacket(b)
	for range b.N {
		for _, p := range frame {
			if _, err := write(p, dst); err != nil {
				b.Fatal(err)
			}
		}
	}
	m.report(b.N * len(frame))
}
