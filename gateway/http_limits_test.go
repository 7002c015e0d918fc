package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// limitsConfig: a body must arrive within 5 s (a margin over the few
// milliseconds the test needs to open its connections, not a measure),
// and an address may hold 8 connections before it logs in.
const limitsConfig = twoStations + `http:
  body_timeout: 5s
  max_connections_per_ip: 8
`

// dialFromAddr connects to the gateway from local address ip.
func dialFromAddr(t *testing.T, base, ip string) net.Conn {
	t.Helper()
	u, _ := url.Parse(base)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFrom is an API client whose connections come from ip.
func (g *testGateway) clientFrom(ip string) *client {
	c := g.anon()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.http = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}}
	return c
}

// startSlowLogin sends a login's header and the first byte of its
// 100-byte body, as the attack did, and nothing more.
func startSlowLogin(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := fmt.Fprintf(c, "POST /api/session HTTP/1.1\r\nHost: vigil\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	if err != nil {
		t.Fatal(err)
	}
}

// answerOf reads what the gateway sends on c until it closes it: the
// status line of its answer, "" if it closed without one.
func answerOf(t *testing.T, c net.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(60 * time.Second)) // a guard against hanging, not a measure
	data, err := io.ReadAll(c)
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("reading the gateway's answer: %v (read %q)", err, data)
	}
	line, _, _ := strings.Cut(string(data), "\r\n")
	return line
}

// TestSlowBodiesAreCutAndCapped: connections that trickle a body from
// 127.0.0.2 are cut after the body timeout and beyond the per-address cap
// are refused at once, while a client from 127.0.0.3 logs in and is
// served, and an open console WebSocket outlives the body timeout.
func TestSlowBodiesAreCutAndCapped(t *testing.T) {
	g := startTestGateway(t, limitsConfig)
	console := dialConsole(t, g.URL(), g.admin.token, "")

	slow := make([]net.Conn, 8)
	for i := range slow {
		slow[i] = dialFromAddr(t, g.URL(), "127.0.0.2")
		startSlowLogin(t, slow[i])
	}
	for i := 0; i < 4; i++ {
		refused := dialFromAddr(t, g.URL(), "127.0.0.2")
		_, _ = refused.Write([]byte("GET /healthz HTTP/1.1\r\nHost: vigil\r\nConnection: close\r\n\r\n"))
		if line := answerOf(t, refused); line != "" {
			t.Fatalf("connection %d beyond the cap from 127.0.0.2 answered %q", 9+i, line)
		}
	}

	other := g.clientFrom("127.0.0.3")
	other.must(http.StatusOK, "POST", "/api/session", map[string]string{"username": "admin", "password": adminPassword}, nil)
	admin := *g.admin
	admin.http = other.http
	admin.must(http.StatusOK, "GET", "/api/stations", nil, nil)

	for i, c := range slow {
		if line := answerOf(t, c); line != "HTTP/1.1 400 Bad Request" {
			t.Fatalf("slow body %d: answered %q, want a 400 and the connection closed", i, line)
		}
	}
	again := dialFromAddr(t, g.URL(), "127.0.0.2") // the cut connections freed their slots
	_, _ = again.Write([]byte("GET /healthz HTTP/1.1\r\nHost: vigil\r\nConnection: close\r\n\r\n"))
	if line := answerOf(t, again); line != "HTTP/1.1 200 OK" {
		t.Fatalf("127.0.0.2 after the cut: %q", line)
	}
	console.send(t, map[string]any{"type": "no-such-type"})
	console.waitFor(t, "an error answer on the console opened before", isType("error"))
}

// TestOversizedBodyIsRefusedUnread: a body announced larger than any route
// takes is refused with 413 before a byte of it is read.
func TestOversizedBodyIsRefusedUnread(t *testing.T) {
	g := startTestGateway(t, twoStations)
	c := dialFromAddr(t, g.URL(), "127.0.0.1")
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a guard against hanging, not a measure
	fmt.Fprintf(c, "POST /api/session HTTP/1.1\r\nHost: vigil\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 GB body announced: %s", resp.Status)
	}
}
