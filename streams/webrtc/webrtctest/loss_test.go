package webrtctest

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/packetio"
)

const procNetUDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  309: 0100007F:B590 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 157686 2 000000000c63189d 0
  310: 0100007F:B591 00000000:0000 07 00000000:00004000 00:00000000 00000000     0        0 157687 2 000000009fcd2ce2 42
`

func TestParseSocketDrops(t *testing.T) {
	n, err := parseSocketDrops(strings.NewReader(procNetUDP), "0100007F:B591")
	if err != nil || n != 42 {
		t.Fatalf("drops %d, %v; want 42", n, err)
	}
	if _, err := parseSocketDrops(strings.NewReader(procNetUDP), "0100007F:0001"); err == nil {
		t.Fatal("a socket that is not listed has no error")
	}
}

// TestSocketDropsCountsAFullBuffer fills a real socket's receive buffer:
// the kernel's drop count for it, read from /proc/net/udp, goes up.
func TestSocketDropsCountsAFullBuffer(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	if err := rx.SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	port := rx.LocalAddr().(*net.UDPAddr).Port
	before, err := socketDrops(port)
	if err != nil {
		t.Skip("no /proc/net/udp: ", err)
	}
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	// Loopback delivers (or drops) a datagram within the sending call.
	for range 200 {
		if _, err := tx.Write(make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	after, err := socketDrops(port)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("drops %d after 200 KB into a 4 KB buffer (before %d)", after, before)
	}
}

func TestParseUDPReceiveErrors(t *testing.T) {
	snmp := "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 20285 100 9 12627 7 0\n" +
		"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdpLite: 0 0 0 0 0 0\n"
	rcvbuf, in, err := parseUDPReceiveErrors([]byte(snmp))
	if err != nil || rcvbuf != 7 || in != 9 {
		t.Fatalf("RcvbufErrors %d, InErrors %d, %v; want 7, 9", rcvbuf, in, err)
	}
	if _, _, err := parseUDPReceiveErrors([]byte("Ip: 1 2\n")); err == nil {
		t.Fatal("no Udp lines, no error")
	}
}

func TestCountingBufferCountsOverruns(t *testing.T) {
	var overruns atomic.Uint64
	b := newCountingBuffer(&overruns)(packetio.RTPBufferPacket, 1)
	defer b.Close()
	pkt := make([]byte, 1200)
	writes := 0
	for ; writes < 2*streamBuffer/len(pkt); writes++ {
		if _, err := b.Write(pkt); err != nil {
			break
		}
	}
	if queued := writes * len(pkt); queued < streamBuffer*9/10 || overruns.Load() != 1 {
		t.Fatalf("%d bytes queued, %d overruns; want about %d and 1", queued, overruns.Load(), streamBuffer)
	}
	if n, err := b.Read(make([]byte, 1500)); err != nil || n != len(pkt) {
		t.Fatalf("read %d, %v", n, err)
	}
}

func TestLossUnexplained(t *testing.T) {
	for _, tc := range []struct {
		l    Loss
		want uint64
	}{
		{Loss{}, 0},
		{Loss{Missing: 5, SocketDrops: 5}, 0},
		{Loss{Missing: 5, SocketDrops: 2, Overruns: 3}, 0},
		{Loss{Missing: 3, SocketDrops: 9}, 0}, // drops of RTCP or STUN too
		{Loss{Missing: 8, SocketDrops: 2, Overruns: 1}, 5},
		{Loss{Malformed: 1, SocketDrops: 4}, 1}, // a broken payload is never the receiver's
		{Loss{Missing: 1, Malformed: 2, SocketDrops: 4}, 2},
	} {
		if got := tc.l.Unexplained(); got != tc.want {
			t.Errorf("%v: unexplained %d, want %d", tc.l, got, tc.want)
		}
	}
}

// TestMuxDropsAreCounted feeds the counting logger the lines pion's
// demultiplexer (internal/mux, v4.2.26) writes when it drops a packet.
func TestMuxDropsAreCounted(t *testing.T) {
	var overruns atomic.Uint64
	quiet := &logging.DefaultLoggerFactory{DefaultLogLevel: logging.LogLevelDisabled}
	f := countingLoggers{quiet: quiet, overruns: &overruns}
	mux := f.NewLogger("mux")
	mux.Infof("mux: endpoint buffer is full, dropping packet")
	mux.Warnf("Warning: mux: no endpoint for packet starting with %d, not adding to queue size(%d)", 128, 100)
	mux.Warnf("Warning: mux: no endpoint for packet starting with %d, adding to queue size(%d)", 128, 3)
	mux.Infof("something else")
	f.NewLogger("ice").Infof("mux: endpoint buffer is full, dropping packet") // another layer's words
	if n := overruns.Load(); n != 2 {
		t.Fatalf("%d drops counted, want 2", n)
	}
}
