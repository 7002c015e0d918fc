package clustere2e

import (
	"bufio"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// The link proxy carries bytes both ways with its delay and cap, and a
// Reset reaches the client as a connection reset, not a clean end.
func TestLinkProxyDelaysAndResets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	go func() { // an echo server
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	p := startLinkProxy(t, ln.Addr().String())
	p.Shape(50*time.Millisecond, 64<<10)
	c, err := net.Dial("tcp", p.Addr())
	must(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	sent := time.Now()
	_, err = c.Write([]byte("ping\n"))
	must(t, err)
	line, err := r.ReadString('\n')
	if err != nil || line != "ping\n" {
		t.Fatalf("echo through the link: %q %v", line, err)
	}
	t.Logf("round trip through the link (50 ms each way): %v", time.Since(sent).Round(time.Millisecond))
	if n := p.Reset(); n != 1 {
		t.Fatalf("reset %d connections, want 1", n)
	}
	_, err = r.ReadString('\n')
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("after a reset the client reads %v, want a connection reset", err)
	}
}
