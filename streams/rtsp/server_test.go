package rtsp

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
	"vigil/streams/sim/h264enc"
)

// serverTestFeed publishes an H.264 test stream at path "cam" and writes
// an access unit every 10 ms (IDR every 10th) until the test ends.
func serverTestFeed(t *testing.T, o ServerOptions) *Server {
	t.Helper()
	o.Address = "127.0.0.1:0"
	s, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h264enc.New(h264enc.Options{Width: 64, Height: 48, FPS: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddPath("cam", enc.SPS(), enc.PPS()); err != nil {
		t.Fatal(err)
	}
	img := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			img.Y[n%len(img.Y)]++
			au, _ := enc.Encode(img, n%10 == 0)
			err := s.WriteAccessUnit("cam", time.Duration(n)*10*time.Millisecond, au)
			if err != nil && !errors.Is(err, ErrServerStopped) {
				t.Errorf("write: %v", err)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
		s.Close()
	})
	return s
}

// serverTestAU is what a reader saw of one access unit.
type serverTestAU struct {
	nalus [][]byte
	ts    uint32
}

// serverTestRead plays url with transport and returns the SDP's H.264
// format and a channel of decoded access units.
func serverTestRead(t *testing.T, url string, tr gortsplib.Transport) (*format.H264, <-chan serverTestAU) {
	t.Helper()
	u, err := base.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := &gortsplib.Client{Scheme: u.Scheme, Host: u.Host, Transport: &tr}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	desc, _, err := c.Describe(u)
	if err != nil {
		t.Fatal(err)
	}
	var forma *format.H264
	medi := desc.FindFormat(&forma)
	if medi == nil {
		t.Fatal("no H.264 media")
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		t.Fatal(err)
	}
	dec, err := forma.CreateDecoder()
	if err != nil {
		t.Fatal(err)
	}
	aus := make(chan serverTestAU, 1000)
	c.OnPacketRTP(medi, forma, func(pkt *rtp.Packet) {
		au, err := dec.Decode(pkt)
		if err != nil {
			return
		}
		select {
		case aus <- serverTestAU{au, pkt.Timestamp}:
		default:
		}
	})
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	return forma, aus
}

func serverTestNext(t *testing.T, aus <-chan serverTestAU) serverTestAU {
	t.Helper()
	return within(t, aus, "access unit")
}

// within waits up to 5 s for the next value of ch.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testwait.Cap):
		t.Fatalf("no %s", what)
		var zero T
		return zero
	}
}

func TestServerPlay(t *testing.T) {
	for _, tr := range []gortsplib.Transport{gortsplib.TransportTCP, gortsplib.TransportUDP} {
		t.Run(tr.String(), func(t *testing.T) {
			s := serverTestFeed(t, ServerOptions{UDP: true})
			forma, aus := serverTestRead(t, s.URL("cam"), tr)
			if len(forma.SPS) == 0 || len(forma.PPS) == 0 || forma.PacketizationMode != 1 {
				t.Fatalf("SDP format %+v", forma)
			}
			// Wait for an IDR; it carries SPS and PPS in-band.
			var first serverTestAU
			for first.nalus == nil || first.nalus[len(first.nalus)-1][0]&0x1f != 5 {
				first = serverTestNext(t, aus)
			}
			if len(first.nalus) != 3 || !bytes.Equal(first.nalus[0], forma.SPS) || !bytes.Equal(first.nalus[1], forma.PPS) {
				t.Fatalf("IDR access unit: %d NAL units", len(first.nalus))
			}
			next := serverTestNext(t, aus)
			if d := next.ts - first.ts; d == 0 || d%900 != 0 {
				t.Errorf("timestamp step %d, want a multiple of 900 (10 ms at 90 kHz)", d)
			}
		})
	}
}

func TestServerNotFound(t *testing.T) {
	s := serverTestFeed(t, ServerOptions{})
	res := serverTestRaw(t, s.Addr(), "DESCRIBE", s.URL("nope"), "")
	if !strings.HasPrefix(res, "RTSP/1.0 404") {
		t.Fatalf("got %q", res)
	}
	if err := s.AddPath("cam", nil, nil); err == nil {
		t.Error("duplicate path accepted")
	}
}

// TestServerDeferred: a client that connects before the deferred server
// starts waits, and its DESCRIBE finds the path added meanwhile (not 404).
func TestServerDeferred(t *testing.T) {
	s, err := NewServer(ServerOptions{Address: "127.0.0.1:0", Deferred: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if s.Running() {
		t.Fatal("a deferred server serves before Start")
	}
	conn, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second) // the backlog accepts it
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\n\r\n", s.URL("cam")); err != nil {
		t.Fatal(err)
	}
	enc, err := h264enc.New(h264enc.Options{Width: 64, Height: 48, FPS: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddPath("cam", enc.SPS(), enc.PPS()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "RTSP/1.0 200") {
		t.Fatalf("DESCRIBE sent before Start: %q, %v", status, err)
	}
}

// serverTestRaw sends one request on a fresh connection and returns the
// response head.
func serverTestRaw(t *testing.T, addr, method, url, auth string) string {
	t.Helper()
	if auth == "" {
		return serverTestRawHeaders(t, addr, method, url)
	}
	return serverTestRawHeaders(t, addr, method, url, "Authorization: "+auth)
}

// serverTestRawHeaders is serverTestRaw with any header lines.
func serverTestRawHeaders(t *testing.T, addr, method, url string, headers ...string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := fmt.Sprintf("%s %s RTSP/1.0\r\nCSeq: 1\r\n", method, url)
	for _, h := range headers {
		req += h + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading response: %v (so far %q)", err, head.String())
		}
		if line == "\r\n" {
			return head.String()
		}
		head.WriteString(line)
	}
}

func TestServerAuth(t *testing.T) {
	s := serverTestFeed(t, ServerOptions{Username: "u", Password: "p@ss"})
	url := s.URL("cam")

	res := serverTestRaw(t, s.Addr(), "DESCRIBE", url, "")
	if !strings.HasPrefix(res, "RTSP/1.0 401") || !strings.Contains(res, "Basic") || !strings.Contains(res, "Digest") {
		t.Fatalf("without credentials: %q", res)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p@ss"))
	if res := serverTestRaw(t, s.Addr(), "DESCRIBE", url, basic); !strings.HasPrefix(res, "RTSP/1.0 200") {
		t.Fatalf("with Basic: %q", res)
	}

	// gortsplib answers the challenge with Digest.
	var mu sync.Mutex
	var schemes []string
	u, _ := base.ParseURL("rtsp://u:p%40ss@" + s.Addr() + "/cam")
	c := &gortsplib.Client{Scheme: "rtsp", Host: u.Host, OnRequest: func(r *base.Request) {
		if a := r.Header["Authorization"]; len(a) > 0 {
			mu.Lock()
			schemes = append(schemes, strings.Fields(a[0])[0])
			mu.Unlock()
		}
	}}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.Describe(u); err != nil {
		t.Fatalf("Digest: %v", err)
	}
	mu.Lock()
	if len(schemes) == 0 || schemes[0] != "Digest" {
		t.Errorf("client used %v, want Digest", schemes)
	}
	mu.Unlock()

	bad, _ := base.ParseURL("rtsp://u:wrong@" + s.Addr() + "/cam")
	c2 := &gortsplib.Client{Scheme: "rtsp", Host: bad.Host}
	if err := c2.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, _, err := c2.Describe(bad); err == nil {
		t.Error("wrong password accepted")
	}
}

func TestServerStopStart(t *testing.T) {
	s := serverTestFeed(t, ServerOptions{UDP: true})
	addr := s.Addr()
	_, aus := serverTestRead(t, s.URL("cam"), gortsplib.TransportTCP)
	serverTestNext(t, aus)

	s.Stop()
	s.Stop() // idempotent
	if s.Running() {
		t.Fatal("running after Stop")
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("connect succeeded while stopped")
	}
	if err := s.WriteAccessUnit("cam", 0, [][]byte{{0x41, 1}}); !errors.Is(err, ErrServerStopped) {
		t.Fatalf("write while stopped: %v", err)
	}

	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Fatalf("address changed: %s -> %s", addr, s.Addr())
	}
	for _, tr := range []gortsplib.Transport{gortsplib.TransportTCP, gortsplib.TransportUDP} {
		_, aus := serverTestRead(t, s.URL("cam"), tr)
		serverTestNext(t, aus)
	}
}

func TestServerRTPPayloads(t *testing.T) {
	s := serverTestFeed(t, ServerOptions{})
	if err := s.AddPath("raw", []byte{0x67, 0x42, 0xc0, 0x1e}, []byte{0x68, 0xce}); err != nil {
		t.Fatal(err)
	}
	u, _ := base.ParseURL(s.URL("raw"))
	tr := gortsplib.TransportTCP
	c := &gortsplib.Client{Scheme: "rtsp", Host: u.Host, Transport: &tr}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	desc, _, err := c.Describe(u)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetupAll(desc.BaseURL, desc.Medias); err != nil {
		t.Fatal(err)
	}
	got := make(chan *rtp.Packet, 10)
	c.OnPacketRTPAny(func(_ *description.Media, _ format.Format, p *rtp.Packet) { got <- p })
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	want := [][]byte{{0xff, 1, 2}, {0x00}}
	// Readers attach asynchronously after PLAY: write until packets arrive.
	var p1, p2 *rtp.Packet
	testwait.For(t, "the raw payloads", func() bool {
		if err := s.WriteRTPPayloads("raw", time.Second, want); err != nil {
			t.Fatal(err)
		}
		select {
		case p1 = <-got:
			p2 = serverTestPkt(t, got)
			return true
		default:
			return false
		}
	})
	if !bytes.Equal(p1.Payload, want[0]) || !bytes.Equal(p2.Payload, want[1]) || p1.Marker || !p2.Marker ||
		p2.SequenceNumber != p1.SequenceNumber+1 || p1.Timestamp != p2.Timestamp {
		t.Fatalf("got %v / %v", p1, p2)
	}
}

func serverTestPkt(t *testing.T, ch <-chan *rtp.Packet) *rtp.Packet {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(testwait.Cap):
		t.Fatal("no packet")
		return nil
	}
}

func TestServerRTPTime(t *testing.T) {
	for d, want := range map[time.Duration]uint32{
		0: 0, 40 * time.Millisecond: 3600, time.Second: 90000,
		48 * time.Hour: uint32(int64(48*3600) * 90000 % (1 << 32)),
	} {
		if got := serverRTPTime(d, 90000); got != want {
			t.Errorf("%v: %d, want %d", d, got, want)
		}
	}
}
