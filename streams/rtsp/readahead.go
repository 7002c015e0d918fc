package rtsp

import (
	"bufio"
	"context"
	"net"
)

// readAheadSize is how much of a camera's TCP stream one read syscall may
// take: gortsplib reads through a 4 kB buffer, one syscall per three RTP
// packets, while a camera writes a frame's packets back to back (a 720p
// P-frame is about 10 kB, a keyframe 100 kB and more). Reading them in
// one go was the largest part of an idle camera's CPU; 32 kB per camera is
// a few percent of its GOP cache.
const readAheadSize = 32 << 10

// readAheadConn reads the connection through a buffer of readAheadSize;
// deadlines still apply to every read that reaches the socket.
type readAheadConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *readAheadConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// dialReadAhead dials with d and wraps the connection in a readAheadConn.
func dialReadAhead(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &readAheadConn{Conn: c, r: bufio.NewReaderSize(c, readAheadSize)}, nil
	}
}
