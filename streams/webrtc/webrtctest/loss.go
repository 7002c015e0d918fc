package webrtctest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/packetio"
)

// The receiver's buffers: a test's receiver shares two cores with the
// gateway under test and with other processes, so it is slow now and then.
// Large buffers make its own drops rare; the ones left are counted, so that
// a test tells them apart from packets the gateway lost (see Loss).
const (
	socketBuffer = 16 << 20 // the UDP socket's receive buffer
	streamBuffer = 8 << 20  // each SRTP/SRTCP stream's packet queue (pion's default is 1 MB)
)

// Loss is what a receiver knows of lost packets.
type Loss struct {
	// Missing counts the RTP sequence numbers that never arrived in order,
	// over all tracks: loss anywhere between the gateway and the test.
	Missing uint64
	// SocketDrops counts the datagrams the kernel dropped because the
	// receiver's socket buffer was full (/proc/net/udp "drops").
	SocketDrops uint64
	// Overruns counts the packets dropped because a queue inside the
	// receiver was full (the test read too slowly): the demultiplexer's in
	// front of decryption, or a stream's after it.
	Overruns uint64
	// Malformed counts the payloads the depacketizer refused: the
	// sender's fault, whatever the receiver dropped.
	Malformed uint64
}

// Unexplained returns how many packets were lost or broken by the sender:
// the malformed ones and the missing ones the receiver's own drops do not
// account for (the gateway lost them, or never sent them).
func (l Loss) Unexplained() uint64 {
	own := l.SocketDrops + l.Overruns
	if l.Missing <= own {
		return l.Malformed
	}
	return l.Missing - own + l.Malformed
}

func (l Loss) String() string {
	return fmt.Sprintf("%d packets missing, %d malformed; the receiver itself dropped %d (socket buffer %d, queues %d)",
		l.Missing, l.Malformed, l.SocketDrops+l.Overruns, l.SocketDrops, l.Overruns)
}

// Loss returns the receiver's loss counts so far.
func (r *Receiver) Loss() Loss {
	drops, err := socketDrops(r.udp.LocalAddr().(*net.UDPAddr).Port)
	if err != nil {
		drops = 0 // no /proc: only the receiver's own counts
	}
	return Loss{Missing: r.missing.Load(), SocketDrops: drops, Overruns: r.overruns.Load(), Malformed: r.malformed.Load()}
}

// enlargeSocketBuffer asks for socketBuffer beyond net.core.rmem_max when
// the process may (SO_RCVBUFFORCE), else up to rmem_max.
func enlargeSocketBuffer(udp *net.UDPConn) {
	raw, err := udp.SyscallConn()
	if err == nil {
		var serr error
		err = raw.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, socketBuffer)
		})
		if err == nil && serr == nil {
			return
		}
	}
	_ = udp.SetReadBuffer(socketBuffer)
}

// countingBuffer is pion's packet queue with a larger limit, counting the
// packets it refuses when full (pion drops them silently).
type countingBuffer struct {
	*packetio.Buffer
	overruns *atomic.Uint64
}

func newCountingBuffer(overruns *atomic.Uint64) func(packetio.BufferPacketType, uint32) io.ReadWriteCloser {
	return func(packetio.BufferPacketType, uint32) io.ReadWriteCloser {
		b := packetio.NewBuffer()
		b.SetLimitSize(streamBuffer)
		return countingBuffer{Buffer: b, overruns: overruns}
	}
}

func (b countingBuffer) Read(p []byte) (int, error) {
	n, _, err := b.Buffer.Read(p, nil)
	return n, err
}

func (b countingBuffer) ReadWithAttributes(p []byte, a packetio.Attributes) (int, packetio.Attributes, error) {
	return b.Buffer.Read(p, a)
}

func (b countingBuffer) Write(p []byte) (int, error) { return b.WriteWithAttributes(p, nil) }

func (b countingBuffer) WriteWithAttributes(p []byte, a packetio.Attributes) (int, error) {
	n, err := b.Buffer.Write(p, a)
	if err == packetio.ErrFull {
		b.overruns.Add(1)
	}
	return n, err
}

// socketDrops reads the kernel's drop count of the IPv4 UDP socket bound
// to 127.0.0.1:port from /proc/net/udp.
func socketDrops(port int) (uint64, error) {
	f, err := os.Open("/proc/net/udp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return parseSocketDrops(f, fmt.Sprintf("0100007F:%04X", port))
}

// parseSocketDrops finds the socket with the given local address (as
// /proc/net/udp spells it) and returns its last column, "drops".
func parseSocketDrops(r io.Reader, local string) (uint64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 13 || fields[1] != local {
			continue
		}
		return strconv.ParseUint(fields[len(fields)-1], 10, 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("webrtctest: no UDP socket %s in /proc/net/udp", local)
}

// UDPReceiveErrors returns the machine's UDP RcvbufErrors and InErrors
// from /proc/net/snmp: drops of every process, for a test to log beside
// its own.
func UDPReceiveErrors() (rcvbuf, in uint64, err error) {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0, 0, err
	}
	return parseUDPReceiveErrors(b)
}

func parseUDPReceiveErrors(b []byte) (rcvbuf, in uint64, err error) {
	var names []string
	for line := range bytes.Lines(b) {
		fields := strings.Fields(string(line))
		if len(fields) == 0 || fields[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		for i := 1; i < len(fields) && i < len(names); i++ {
			v, perr := strconv.ParseUint(fields[i], 10, 64)
			switch names[i] {
			case "RcvbufErrors":
				rcvbuf, err = v, perr
			case "InErrors":
				in, err = v, perr
			}
			if err != nil {
				return 0, 0, err
			}
		}
		return rcvbuf, in, nil
	}
	return 0, 0, fmt.Errorf("webrtctest: no Udp counters in /proc/net/snmp")
}

// muxDropLogs counts the packets pion's receive demultiplexer drops. It
// keeps a 1 MB queue in front of the SRTP decryption and, when a starved
// receiver lets it fill, drops the packet and says so only in its log
// (pion/webrtc internal/mux): the receiver's own overrun, counted from the
// log line as nothing else tells.
type muxDropLogs struct {
	logging.LeveledLogger
	overruns *atomic.Uint64
}

func (l muxDropLogs) Infof(format string, args ...any) {
	if strings.Contains(format, "buffer is full") {
		l.overruns.Add(1)
	}
}

func (l muxDropLogs) Warnf(format string, args ...any) {
	if strings.Contains(format, "not adding to queue") { // before the SRTP endpoint exists
		l.overruns.Add(1)
	}
}

// countingLoggers is the receiver's quiet pion logger factory, except that
// the demultiplexer's drops are counted.
type countingLoggers struct {
	quiet    logging.LoggerFactory
	overruns *atomic.Uint64
}

func (f countingLoggers) NewLogger(scope string) logging.LeveledLogger {
	l := f.quiet.NewLogger(scope)
	if scope == "mux" {
		return muxDropLogs{LeveledLogger: l, overruns: f.overruns}
	}
	return l
}
