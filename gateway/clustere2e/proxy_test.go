package clustere2e

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// linkProxy is a network link made in user space (this kernel has no
// netem): a TCP proxy to target that delays every chunk, caps the
// bandwidth of each direction, and resets every connection on cue.
type linkProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	delay time.Duration
	rate  int // bytes per second of each direction; 0: no cap
	conns map[*linkConn]bool

	accepted atomic.Int64
	resets   atomic.Int64
}

// linkConn is one proxied connection: the client's side and the target's.
type linkConn struct {
	client, server *net.TCPConn
	done           chan struct{}
	closing        sync.Once
}

func startLinkProxy(t *testing.T, target string) *linkProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &linkProxy{ln: ln, target: target, conns: map[*linkConn]bool{}}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(p.close)
	return p
}

func (p *linkProxy) Addr() string { return p.ln.Addr().String() }

// Shape sets the delay added to every chunk and the cap of each
// direction in bytes per second (0: none); it applies to new chunks.
func (p *linkProxy) Shape(delay time.Duration, bytesPerSecond int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay, p.rate = delay, bytesPerSecond
}

func (p *linkProxy) shape() (time.Duration, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delay, p.rate
}

// Reset cuts every open connection with a TCP RST on both sides and
// returns how many there were.
func (p *linkProxy) Reset() int {
	p.mu.Lock()
	conns := make([]*linkConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.client.SetLinger(0)
		c.server.SetLinger(0)
		c.close()
	}
	p.resets.Add(int64(len(conns)))
	return len(conns)
}

// open returns how many connections are open now.
func (p *linkProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *linkProxy) close() {
	p.ln.Close()
	p.Reset()
	p.wg.Wait()
}

func (p *linkProxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close() // the far end is down: the link answers as it would
			continue
		}
		lc := &linkConn{client: c.(*net.TCPConn), server: s.(*net.TCPConn), done: make(chan struct{})}
		p.mu.Lock()
		p.conns[lc] = true
		p.mu.Unlock()
		p.accepted.Add(1)
		p.wg.Add(2)
		go p.pipe(lc, lc.server, lc.client)
		go p.pipe(lc, lc.client, lc.server)
	}
}

func (c *linkConn) close() {
	c.closing.Do(func() {
		close(c.done)
		c.client.Close()
		c.server.Close()
	})
}

// chunk is data read at one instant, to be written once its delay passed.
type chunk struct {
	data []byte
	due  time.Time
}

// pipe copies src to dst through a queue that holds each chunk for the
// link's delay and paces writes to its rate. Either side ending ends
// both.
func (p *linkProxy) pipe(c *linkConn, dst, src *net.TCPConn) {
	defer p.wg.Done()
	defer func() {
		c.close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			b := make([]byte, 16<<10)
			n, err := src.Read(b)
			if n > 0 {
				delay, _ := p.shape()
				select {
				case queue <- chunk{b[:n], time.Now().Add(delay)}:
				case <-c.done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	p.deliver(c, dst, queue)
}

// deliver writes each chunk at its time: not before it is due, and not
// before the bytes before it went out at the link's rate.
func (p *linkProxy) deliver(c *linkConn, dst *net.TCPConn, queue <-chan chunk) {
	var free time.Time // when the link has sent what it was given
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ch := range queue {
		_, rate := p.shape()
		at := ch.due
		if free.After(at) {
			at = free
		}
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-c.done:
				return
			}
		}
		if _, err := dst.Write(ch.data); err != nil {
			return
		}
		free = time.Now()
		if rate > 0 {
			free = at.Add(time.Duration(len(ch.data)) * time.Second / time.Duration(rate))
		}
	}
}
