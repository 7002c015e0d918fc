package gateway

import (
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// limitServer runs a connLimiter on loopback; every connection it hands
// out is sent on conns, and the server writes "ok" on it so a client can
// tell an accepted connection from a refused one.
func limitServer(t *testing.T, max, perIP int) (*connLimiter, chan *limitedConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, max, perIP, nil)
	conns := make(chan *limitedConn, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("ok"))
			conns <- c.(*limitedConn)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return l, conns
}

// dialFrom connects from local address ip and reports whether the server
// accepted (it says "ok") or refused (it closes) the connection.
func dialFrom(t *testing.T, l net.Listener, ip string) (net.Conn, bool) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a guard against hanging, not a measure
	buf := make([]byte, 2)
	_, err = io.ReadFull(c, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !isReset(err) {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	return c, err == nil && string(buf) == "ok"
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

func TestConnLimiterPerAddressUntilAuthenticated(t *testing.T) {
	l, conns := limitServer(t, 0, 2)
	for i := 0; i < 2; i++ {
		if _, ok := dialFrom(t, l, "127.0.0.2"); !ok {
			t.Fatalf("connection %d from 127.0.0.2 refused under the cap", i)
		}
	}
	if _, ok := dialFrom(t, l, "127.0.0.2"); ok {
		t.Fatal("third anonymous connection from 127.0.0.2 accepted, cap 2")
	}
	if _, ok := dialFrom(t, l, "127.0.0.3"); !ok {
		t.Fatal("127.0.0.3 refused because of 127.0.0.2")
	}
	first := <-conns
	first.markAuthenticated()
	first.markAuthenticated() // counted once
	if _, ok := dialFrom(t, l, "127.0.0.2"); !ok {
		t.Fatal("127.0.0.2 still refused after one of its connections authenticated")
	}
	if _, ok := dialFrom(t, l, "127.0.0.2"); ok {
		t.Fatal("cap not enforced after authentication freed one slot")
	}
	first.Close()
	first.Close()
	if _, unauthd := l.counts("127.0.0.2"); unauthd != 2 {
		t.Fatalf("closing an authenticated connection changed the anonymous count to %d", unauthd)
	}
	second := <-conns
	second.Close()
	if _, ok := dialFrom(t, l, "127.0.0.2"); !ok {
		t.Fatal("a closed anonymous connection did not free its slot")
	}
}

func TestConnLimiterGlobalCap(t *testing.T) {
	l, conns := limitServer(t, 3, 100)
	for i, ip := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"} {
		if _, ok := dialFrom(t, l, ip); !ok {
			t.Fatalf("connection %d refused under the global cap", i)
		}
	}
	if _, ok := dialFrom(t, l, "127.0.0.5"); ok {
		t.Fatal("fourth connection accepted, global cap 3")
	}
	(<-conns).Close()
	if _, ok := dialFrom(t, l, "127.0.0.5"); !ok {
		t.Fatal("a closed connection did not free its global slot")
	}
	if open, _ := l.counts(""); open != 3 {
		t.Fatalf("open = %d, want 3", open)
	}
}

func TestConnectionCap(t *testing.T) {
	for _, tt := range []struct {
		configured, reserve, nofile, want int
		note                              bool
	}{
		{0, 1024, 20000, 18976, false},     // automatic: the limit less the reserve
		{500, 1024, 20000, 500, false},     // a smaller cap wins
		{50000, 1024, 20000, 18976, false}, // never beyond the file handles
		{0, 1024, 1024, 512, true},         // a small limit: half, and say so
		{0, 1024, 0, 0, false},             // limit unknown, no cap configured
		{300, 1024, 0, 300, false},         // limit unknown: the configured cap
	} {
		got, note := connectionCap(tt.configured, tt.reserve, tt.nofile)
		if got != tt.want || (note != "") != tt.note {
			t.Errorf("connectionCap(%d, %d, %d) = %d, %q; want %d, note %v",
				tt.configured, tt.reserve, tt.nofile, got, note, tt.want, tt.note)
		}
	}
}

func TestOpenFileLimitIsKnown(t *testing.T) {
	if runtime.GOOS == "linux" && openFileLimit() <= 0 {
		t.Fatal("the open-file limit is unknown on Linux")
	}
}
