package gateway

// Limits on the HTTP server's connections (DESIGN.md "HTTP surface"): a
// flood of connections that never finish a request must not take the file
// handles the cameras and recordings need, nor lock out other clients.
//
// connLimiter wraps the TCP listener. A connection beyond the global cap,
// or beyond its address's cap of connections not yet authenticated, is
// closed as soon as it is accepted. A connection counts against its
// address until one of its requests authenticates (api.Options.
// OnAuthenticated); slow or silent ones are cut by the server's header,
// body and idle timeouts, which frees their slots.

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/gateway/auth"
)

type connLimiter struct {
	net.Listener
	max, perIP int
	onRefuse   func(reason string, addr net.Addr)

	mu      sync.Mutex
	open    int
	unauthd map[string]int // per address, connections not yet authenticated
}

func newConnLimiter(ln net.Listener, max, perIP int, onRefuse func(string, net.Addr)) *connLimiter {
	return &connLimiter{Listener: ln, max: max, perIP: perIP, onRefuse: onRefuse, unauthd: make(map[string]int)}
}

// Accept returns the next connection within the limits; the others are
// closed without a word (the client sees its connection reset or closed).
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(c.RemoteAddr())
		if reason := l.admit(ip); reason != "" {
			_ = c.Close()
			if l.onRefuse != nil {
				l.onRefuse(reason, c.RemoteAddr())
			}
			continue
		}
		return &limitedConn{Conn: c, l: l, ip: ip}, nil
	}
}

// admit counts a new connection from ip, or says why it is refused.
func (l *connLimiter) admit(ip string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.max > 0 && l.open >= l.max:
		return "global"
	case l.unauthd[ip] >= l.perIP:
		return "per_ip"
	}
	l.open++
	l.unauthd[ip]++
	return ""
}

func (l *connLimiter) release(ip string, authenticated bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if !authenticated {
		l.dropUnauthd(ip)
	}
}

func (l *connLimiter) authenticated(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropUnauthd(ip)
}

func (l *connLimiter) dropUnauthd(ip string) {
	if l.unauthd[ip]--; l.unauthd[ip] <= 0 {
		delete(l.unauthd, ip)
	}
}

// counts returns the open connections and those of ip not authenticated.
func (l *connLimiter) counts(ip string) (open, unauthd int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open, l.unauthd[ip]
}

// limitedConn gives its slot back when closed, and its address's slot
// when it authenticates.
type limitedConn struct {
	net.Conn
	l  *connLimiter
	ip string

	mu            sync.Mutex
	closed, authd bool
}

func (c *limitedConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.l.release(c.ip, c.authd)
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

func (c *limitedConn) markAuthenticated() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.authd || c.closed {
		return
	}
	c.authd = true
	c.l.authenticated(c.ip)
}

// hostOf is the unit an address's connections are counted by: the IPv4
// address or the IPv6 /64, as for login limits.
func hostOf(a net.Addr) string { return auth.ClientKey(a.String()) }

type connKey struct{}

// connContext remembers each request's connection (http.Server.ConnContext)
// so that authenticating a request can free its address's slot.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if lc, ok := c.(*limitedConn); ok {
		return context.WithValue(ctx, connKey{}, lc)
	}
	return ctx
}

// markAuthenticated is api.Options.OnAuthenticated.
func markAuthenticated(r *http.Request) {
	if lc, ok := r.Context().Value(connKey{}).(*limitedConn); ok {
		lc.markAuthenticated()
	}
}

// limitBodies bounds every request body: larger than maxBody is refused
// (413) before it is read, and a body must have arrived within timeout.
// Once it has, the deadline is lifted, so a handler that works longer
// (a login, a WHEP negotiation) is not cut. Requests without a body,
// WebSocket upgrades and downloads among them, get no deadline here.
func limitBodies(h http.Handler, timeout time.Duration, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			w.Header().Set("Connection", "close")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = io.WriteString(w, `{"error":"request body too large"}`+"\n")
			return
		}
		if r.ContentLength != 0 { // a body, or one of unknown length (chunked)
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Now().Add(timeout))
			r.Body = &deadlineBody{ReadCloser: http.MaxBytesReader(w, r.Body, maxBody), rc: rc}
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the connection's read deadline once the body is read.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// maxRequestBody is the largest body any route takes (the API's JSON and
// WHEP offer limits, which each route enforces itself).
const maxRequestBody = 64 << 10

// limitConns wraps the HTTP listener in the connection limits of the
// config's http section.
func (g *Gateway) limitConns(ln net.Listener) net.Listener {
	h := g.cfg.HTTP
	g.httpRefused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_http_connections_refused_total",
		Help: "HTTP connections closed at accept: limit global (max_connections) or per_ip (max_connections_per_ip)."},
		[]string{"limit"})
	for _, limit := range []string{"global", "per_ip"} { // exported at 0, so a rate starts at the first refusal
		g.httpRefused.WithLabelValues(limit)
	}
	max, note := connectionCap(h.MaxConnections, h.FDReserve, openFileLimit())
	if note != "" {
		g.log.Warn(note)
	}
	g.log.Info("http connection limits", "max_connections", max, "max_connections_per_ip", h.MaxConnectionsPerIP)
	var lastLog sync.Map // reason → time of the last log line, one a minute
	return newConnLimiter(ln, max, h.MaxConnectionsPerIP, func(reason string, addr net.Addr) {
		g.httpRefused.WithLabelValues(reason).Inc()
		now := time.Now()
		if last, ok := lastLog.Load(reason); ok && now.Sub(last.(time.Time)) < time.Minute {
			return
		}
		lastLog.Store(reason, now)
		g.log.Warn("http connection refused: limit reached", "limit", reason, "remote", hostOf(addr))
	})
}

// connectionCap is the most HTTP connections held at once: configured (0:
// no own cap) but never more than the open-file limit (0: unknown) less
// the reserve. A reserve that would leave HTTP less than half the limit
// is cut to half, with a note to log.
func connectionCap(configured, reserve, nofile int) (max int, note string) {
	if nofile <= 0 {
		return configured, ""
	}
	avail := nofile - reserve
	if avail < nofile/2 {
		avail = nofile / 2
		note = fmt.Sprintf("http.fd_reserve %d leaves too little of the open-file limit %d; HTTP connections capped at %d (raise the limit: ulimit -n)",
			reserve, nofile, avail)
	}
	if configured > 0 && configured < avail {
		return configured, note
	}
	return avail, note
}
