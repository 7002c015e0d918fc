package rtsp

import (
	"net"
	"testing"
)

func TestAnyPortIsPickedBelowTheEphemeralRange(t *testing.T) {
	lo, hi, ok := pickablePorts()
	if !ok {
		t.Skip("no ephemeral port range to stay out of on this system")
	}
	for range 20 {
		ln, err := listenTCP("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port < lo || port >= hi {
			t.Fatalf("port %d, want one in [%d, %d)", port, lo, hi)
		}
		a, b, err := listenUDPPairOutsideEphemeral("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		rtp, rtcp := a.LocalAddr().(*net.UDPAddr).Port, b.LocalAddr().(*net.UDPAddr).Port
		a.Close()
		b.Close()
		if rtp%2 != 0 || rtcp != rtp+1 || rtp < lo || rtcp >= hi {
			t.Fatalf("UDP pair %d/%d, want an even/odd pair in [%d, %d)", rtp, rtcp, lo, hi)
		}
	}
}

func TestAGivenPortIsKept(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	again, err := listenTCP(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Addr().String() != addr {
		t.Fatalf("listened on %s, asked %s", again.Addr(), addr)
	}
}
