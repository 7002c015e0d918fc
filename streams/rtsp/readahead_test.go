package rtsp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the reads that reach the socket.
type countingConn struct {
	net.Conn
	reads atomic.Int32
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

// TestReadAheadTakesAFrameInOneRead: a 30 kB frame written at once is read
// through gortsplib's 4 kB reader with one or two reads of the socket (not
// eight), and the bytes arrive intact and in order.
func TestReadAheadTakesAFrameInOneRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	frame := make([]byte, 30_000)
	for i := range frame {
		frame[i] = byte(i * 7)
	}
	sent := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			sent <- err
			return
		}
		defer c.Close()
		_, err = c.Write(frame)
		sent <- err
	}()
	var counted *countingConn
	dial := dialReadAhead(&net.Dialer{Timeout: 5 * time.Second})
	raw, err := dial(t.Context(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Count below the read-ahead buffer: swap the socket it reads from.
	ra := raw.(*readAheadConn)
	counted = &countingConn{Conn: ra.Conn}
	ra.r = bufio.NewReaderSize(counted, readAheadSize)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	// As gortsplib reads: interleaved frames of an RTP packet each, through
	// a 4 kB bufio.Reader.
	var got []byte
	br := bufio.NewReaderSize(ra, 4096)
	for len(got) < len(frame) {
		chunk := make([]byte, min(1400, len(frame)-len(got)))
		if _, err := io.ReadFull(br, chunk); err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk...)
	}
	if !bytes.Equal(got, frame) {
		t.Fatal("bytes differ")
	}
	if n := counted.reads.Load(); n > 2 {
		t.Fatalf("%d socket reads for a 30 kB frame written at once", n)
	}
}

// BenchmarkCameraStreamRead reads 10 kB frames (a 720p P-frame), each
// written at once as a camera writes them, as gortsplib reads them:
// 1400-byte packets through a 4 kB bufio.Reader; socket reads per frame
// with and without the read-ahead buffer.
func BenchmarkCameraStreamRead(b *testing.B) {
	for _, ahead := range []bool{false, true} {
		b.Run(map[bool]string{false: "direct", true: "readahead"}[ahead], func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			frame := make([]byte, 10_000)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				for range b.N {
					if _, err := c.Write(frame); err != nil {
						return
					}
				}
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			counted := &countingConn{Conn: c}
			var conn net.Conn = counted
			if ahead {
				conn = &readAheadConn{Conn: counted, r: bufio.NewReaderSize(counted, readAheadSize)}
			}
			br := bufio.NewReaderSize(conn, 4096)
			packet := make([]byte, 1400)
			b.ResetTimer()
			for range b.N {
				for left := len(frame); left > 0; left -= len(packet) {
					if _, err := io.ReadFull(br, packet[:min(len(packet), left)]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(counted.reads.Load())/float64(b.N), "reads/frame")
		})
	}
}
