package sim

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

func newTestServer(t *testing.T, o ServerOptions) *Server {
	t.Helper()
	o.Listen = "127.0.0.1:0"
	s, err := NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// reader is a gortsplib client playing one stream.
type reader struct {
	forma *format.H264
	aus   chan au          // decoded access units
	pkts  chan *rtp.Packet // raw packets
}

type au struct {
	nalus [][]byte
	ts    uint32
	at    time.Time
}

func play(t *testing.T, url string, tr gortsplib.Transport) *reader {
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
		t.Fatalf("describe %s: %v", url, err)
	}
	r := &reader{aus: make(chan au, 4096), pkts: make(chan *rtp.Packet, 16384)}
	medi := desc.FindFormat(&r.forma)
	if medi == nil {
		t.Fatal("no H.264")
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		t.Fatal(err)
	}
	dec, err := r.forma.CreateDecoder()
	if err != nil {
		t.Fatal(err)
	}
	c.OnPacketRTPAny(func(_ *description.Media, _ format.Format, p *rtp.Packet) {
		select {
		case r.pkts <- p:
		default:
		}
		if nalus, err := dec.Decode(p); err == nil {
			select {
			case r.aus <- au{nalus, p.Timestamp, time.Now()}:
			default:
			}
		}
	})
	if _, err := c.Play(nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *reader) nextAU(t *testing.T) au {
	t.Helper()
	select {
	case a := <-r.aus:
		return a
	case <-time.After(testwait.Cap):
		t.Fatal("no access unit")
		return au{}
	}
}

func (r *reader) nextPkt(t *testing.T) *rtp.Packet {
	t.Helper()
	select {
	case p := <-r.pkts:
		return p
	case <-time.After(testwait.Cap):
		t.Fatal("no packet")
		return nil
	}
}

func isIDR(a au) bool {
	for _, n := range a.nalus {
		if h264.NALUType(n[0]&0x1f) == h264.NALUTypeIDR {
			return true
		}
	}
	return false
}

func TestCameraStreams(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 2, GOP: 10,
		Configure: func(_ string, o *CameraOptions) {
			o.Tag = func(n int64, sent time.Time) []byte { return sentTagSEI(media.CodecH264, n, sent) }
		}})
	if got := s.Cameras(); len(got) != 2 || got[1] != "cam1" {
		t.Fatalf("cameras %v", got)
	}
	for _, tc := range []struct {
		url    string
		tr     gortsplib.Transport
		w, h   int
		tagged bool // main streams carry the tag, sub streams do not
	}{
		{s.URL("cam1"), gortsplib.TransportTCP, 640, 360, true},
		{s.URL("cam1"), gortsplib.TransportUDP, 640, 360, true},
		{s.SubURL("cam0"), gortsplib.TransportUDP, 320, 180, false},
	} {
		t.Run(tc.tr.String()+strings.TrimPrefix(tc.url, "rtsp://"+s.Addr()), func(t *testing.T) {
			r := play(t, tc.url, tc.tr)
			var sps h264.SPS
			if err := sps.Unmarshal(r.forma.SPS); err != nil || len(r.forma.PPS) == 0 {
				t.Fatalf("SDP parameter sets: %v", err)
			}
			if sps.Width() != tc.w || sps.Height() != tc.h {
				t.Fatalf("SPS %dx%d, want %dx%d", sps.Width(), sps.Height(), tc.w, tc.h)
			}
			a := r.nextAU(t)
			for !isIDR(a) {
				a = r.nextAU(t)
			}
			units := 3 // SPS, PPS, IDR
			if tc.tagged {
				units++ // and the tag after the parameter sets
			}
			if len(a.nalus) != units || h264.NALUType(a.nalus[0][0]&0x1f) != h264.NALUTypeSPS ||
				h264.NALUType(a.nalus[1][0]&0x1f) != h264.NALUTypePPS {
				t.Fatalf("IDR access unit without in-band SPS, PPS")
			}
			// 25 more frames: 40 ms apart in RTP time, about a second of wall time.
			first := a
			var lags []time.Duration // main streams: sentLag of each frame
			for n := 0; n < 25; {
				b := r.nextAU(t)
				d := b.ts - a.ts
				if d == 0 && tc.tr == gortsplib.TransportUDP {
					// A unit whose marker packet was lost is returned when
					// the next unit's first packet arrives, stamped with
					// that packet's timestamp.
					continue
				}
				if d%3600 != 0 || d == 0 {
					t.Fatalf("RTP timestamp step %d, want multiples of 3600", d)
				}
				a = b
				n++
				if tc.tagged {
					lags = append(lags, sentLag(t, first, a))
				}
			}
			if !tc.tagged {
				return // untagged, but sent on the main stream's ticks
			}
			// The camera paces frames on the wall clock: never faster than
			// their RTP time. Its ticker never fires early and a late tick
			// skips frame numbers, so each frame is sent at its RTP time
			// plus a delay: the tick waiting for a CPU, the encoding (an
			// IDR takes longest; up to 50 ms here beside two busy loops).
			// A lag is that delay plus one constant, so a camera keeping
			// time has no lag far below its least delayed frame's. Hence
			// the least lag of the first six frames against the greatest
			// of the last six: a late first frame does not make the rest
			// look early, nor does a UDP unit stamped with the next
			// frame's timestamp (its lag is a frame step short). The 0.1 s
			// margin only covers all of the first six being late at once;
			// a camera at twice the rate is 14 frames, 0.28 s, ahead.
			early, late := slices.Min(lags[:6]), slices.Max(lags[len(lags)-6:])
			if late < early-100*time.Millisecond {
				t.Errorf("frames sent %v ahead of their RTP time after the first six (lags %v): sent faster than real time",
					early-late, lags)
			}
		})
	}
}

// sentLag is how long after its RTP time the camera sent a, both counted
// from first, by the send times in their tags: arrival times would add
// the receiver's delays, and a starved receiver gets the first frame late
// and the rest in a burst.
func sentLag(t *testing.T, first, a au) time.Duration {
	t.Helper()
	_, sent0, ok0 := h264TagSent(first)
	_, sent, ok := h264TagSent(a)
	if !ok0 || !ok || sent0.IsZero() || sent.IsZero() {
		t.Fatal("main stream access unit without its send time")
	}
	return sent.Sub(sent0) - time.Duration(a.ts-first.ts)*time.Second/90000
}

func TestServerAuth(t *testing.T) {
	s := newTestServer(t, ServerOptions{Names: []string{"bjx-nsq-01"}, Username: "admin", Password: "secret"})
	url := s.URL("bjx-nsq-01")
	if !strings.Contains(url, "admin:secret@") {
		t.Fatalf("URL %q lacks credentials", url)
	}
	play(t, url, gortsplib.TransportTCP).nextAU(t)

	plain := strings.Replace(url, "admin:secret@", "", 1)
	u, _ := base.ParseURL(plain)
	c := &gortsplib.Client{Scheme: "rtsp", Host: u.Host}
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, res, err := c.Describe(u); err == nil || (res != nil && res.StatusCode != base.StatusUnauthorized) {
		t.Fatalf("without credentials: %v %v", res, err)
	}
}

func TestServerRejectsNames(t *testing.T) {
	for _, o := range []ServerOptions{{}, {Names: []string{"Bad Name"}}, {Names: []string{"a", "a"}}} {
		o.Listen = "127.0.0.1:0"
		if s, err := NewServer(o); err == nil {
			s.Close()
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestServerReboot(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 10})
	addr := s.Addr()
	play(t, s.URL("cam0"), gortsplib.TransportTCP).nextAU(t)
	s.Stop()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("connected to a stopped camera")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Fatalf("address changed to %s", s.Addr())
	}
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	for a := r.nextAU(t); !isIDR(a); a = r.nextAU(t) {
	}
}

// validFirstByte reports whether a payload starts like this camera's clean
// packets do: a single slice, SPS or PPS, a STAP-A (also with NRI 0, as
// for SEI and access unit delimiters) or an FU-A.
func validFirstByte(b byte) bool {
	switch b {
	case 0x41, 0x65, 0x67, 0x68, 0x78, 0x18, 0x7c, 0x5c:
		return true
	}
	return false
}

func TestGarbageRandom(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 10})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	if err := s.SetGarbage("cam0", GarbageRandom); err != nil {
		t.Fatal(err)
	}
	for p := r.nextPkt(t); validFirstByte(p.Payload[0]); p = r.nextPkt(t) {
	}
	if s.Misbehaved("cam0") == 0 {
		t.Error("garbage sent but Misbehaved is 0")
	}
	_ = s.SetGarbage("cam0", GarbageOff)
	settled := s.Misbehaved("cam0") + 1 // the frame in flight may still count
	for a := r.nextAU(t); !isIDR(a); a = r.nextAU(t) {
	}
	if n := s.Misbehaved("cam0"); n > settled {
		t.Errorf("Misbehaved grew to %d after the camera went clean (%d)", n, settled)
	}
	// Back to clean: the next IDR decodes too.
	for a := r.nextAU(t); !isIDR(a); a = r.nextAU(t) {
	}
	if s.Misbehaved("nope") != 0 {
		t.Error("an unknown camera misbehaved")
	}
	if err := s.SetGarbage("nope", GarbageOff); err == nil {
		t.Error("unknown camera accepted")
	}
}

func TestGarbageOversized(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, Width: 64, Height: 64})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	_ = s.SetGarbage("cam0", GarbageOversized)
	size := 0
	for {
		p := r.nextPkt(t)
		if len(p.Payload) < 2 || p.Payload[0]&0x1f != 28 {
			continue
		}
		if p.Payload[1]&0x80 != 0 { // start fragment
			size = 1
		}
		size += len(p.Payload) - 2
		if p.Payload[1]&0x40 != 0 { // end fragment
			if size >= OversizedNALU {
				break
			}
			size = 0
		}
	}
	if size != OversizedNALU {
		t.Fatalf("reassembled %d bytes, want %d", size, OversizedNALU)
	}
}

func TestGarbageTruncatedFUA(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1})
	r := play(t, s.URL("cam0"), gortsplib.TransportTCP)
	r.nextAU(t)
	_ = s.SetGarbage("cam0", GarbageTruncatedFUA)
	// An access unit ends (marker) inside an FU-A that never got its end.
	inFU := false
	for {
		p := r.nextPkt(t)
		isFU := len(p.Payload) >= 2 && p.Payload[0]&0x1f == 28
		switch {
		case isFU && p.Payload[1]&0x80 != 0:
			inFU = true
		case isFU && p.Payload[1]&0x40 != 0:
			inFU = false
		}
		if p.Marker && inFU {
			return
		}
		if p.Marker {
			inFU = false
		}
	}
}

func TestTruncatedFUA(t *testing.T) {
	nal := make([]byte, 3001)
	nal[0] = 0x65
	pk := truncatedFU([][]byte{{0x67, 1}, nal}, media.CodecH264)
	// SPS (too small to fragment) whole, then 1200+1200 of the 3000 body
	// bytes: the last 600 (the end fragment) are left out.
	if len(pk) != 3 || pk[0][0] != 0x67 || pk[1][0] != 0x7c || pk[1][1] != 0x85 || pk[2][1] != 0x05 {
		t.Fatalf("got %d packets: % x", len(pk), [][]byte{pk[1][:2], pk[2][:2]})
	}
}

// LastSent follows the main stream's pictures; tests read it to tell a
// camera that sent nothing from a reader that got nothing.
func TestLastSentFollowsThePictures(t *testing.T) {
	s := newTestServer(t, ServerOptions{Cameras: 1, GOP: 10})
	testwait.For(t, "a first picture sent", func() bool { return !s.LastSent("cam0").IsZero() })
	first := s.LastSent("cam0")
	testwait.For(t, "a later picture sent", func() bool { return s.LastSent("cam0").After(first) })
	if got := s.LastSent("no-such-camera"); !got.IsZero() {
		t.Errorf("unknown camera last sent %v, want zero", got)
	}
}
