package rtsp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/format"

	"vigil/internal/testwait"
)

// unit is an access unit a pull delivered.
type unit struct {
	nalus [][]byte
	pts   int64
}

type unitHandler struct {
	recordingHandler
	units  chan unit
	errors atomic.Int64
}

func (h *unitHandler) OnAccessUnit(nalus [][]byte, pts int64, _ time.Time) {
	h.units <- unit{nalus, pts}
}

func (h *unitHandler) OnDecodeError(error) { h.errors.Add(1) }

// numberedUnit is frame n of a camera whose GOP is 10 frames: an IDR
// (with SPS and PPS) or a P-slice, its payload large enough to be sent as
// fragments (FU-A) and carrying n.
func numberedUnit(n int) [][]byte {
	body := bytes.Repeat([]byte{byte(n)}, 3000+n%7)
	binary.BigEndian.PutUint32(body[1:], uint32(n))
	if n%10 == 0 {
		body[0] = 0x65 // IDR
		return [][]byte{{0x67, 0x42, 0xc0, 0x1f}, {0x68, 0xce, 0x3c, 0x80}, body}
	}
	body[0] = 0x41 // non-IDR slice
	return [][]byte{body}
}

// TestTCPVideoIsTakenOutOfGortsplibsStream pulls a camera over TCP and
// checks that its video reaches the handler whole and in order by the
// splitter's path, and that gortsplib's watchdog still sees a live
// session (heartbeats) for several of its read timeouts, and a dead one
// once the camera goes silent.
func TestTCPVideoIsTakenOutOfGortsplibsStream(t *testing.T) {
	h264 := &format.H264{PayloadTyp: 96, PacketizationMode: 1}
	url, stream := serveStream(t, h264)
	enc, err := h264.CreateEncoder()
	if err != nil {
		t.Fatal(err)
	}
	var sending atomic.Bool
	sending.Store(true)
	camera := make(chan struct{})
	go func() { // the camera: 100 frames a second while sending
		defer close(camera)
		clock := time.NewTicker(10 * time.Millisecond)
		defer clock.Stop()
		for n := 0; sending.Load(); n++ {
			pkts, err := enc.Encode(numberedUnit(n))
			if err != nil {
				panic(err)
			}
			for _, p := range pkts {
				p.Timestamp = 1<<32 - 50*900 + uint32(n*900) // wraps after 50 frames
				stream.WritePacketRTP(stream.Desc.Medias[0], p)
			}
			<-clock.C
		}
	}()
	t.Cleanup(func() { sending.Store(false); <-camera })

	u, err := base.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	h := &unitHandler{recordingHandler: recordingHandler{desc: make(chan Description, 1)}, units: make(chan unit, 1000)}
	const readTimeout = 2 * time.Second // gortsplib counts in whole seconds
	playing, conn := new(atomic.Bool), new(atomic.Pointer[batchedConn])
	c := newClient(u, ClientOptions{URL: url, Transport: "tcp", ReadTimeout: readTimeout}, playing, conn)
	if err := c.Start2(); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() { done <- play(c, u, false, h, playing, conn) }()

	// 300 frames: 3 s of the camera's clock, beyond a read timeout and
	// gortsplib's check period.
	var first unit
	var firstN int
	for i := range 300 {
		var got unit
		select {
		case got = <-h.units:
		case err := <-done:
			t.Fatalf("the pull ended after %d frames: %v", i, err)
		case <-time.After(testwait.Cap):
			t.Fatalf("no frame %d", i)
		}
		body := got.nalus[len(got.nalus)-1]
		n := int(binary.BigEndian.Uint32(body[1:]))
		if !bytes.Equal(body, numberedUnit(n)[len(numberedUnit(n))-1]) {
			t.Fatalf("frame %d came damaged", n)
		}
		if i == 0 {
			if n%10 != 0 || len(got.nalus) != 3 {
				t.Fatalf("first frame %d of %d NAL units, want an IDR with its parameter sets", n, len(got.nalus))
			}
			first, firstN = got, n
		} else if n != firstN+i {
			t.Fatalf("frame %d after frame %d", n, firstN+i-1)
		}
		if want := first.pts + int64(n-firstN)*900; got.pts != want {
			t.Fatalf("frame %d at %d ticks, want %d (across the timestamp's wrap)", n, got.pts, want)
		}
	}
	if taken := conn.Load().taken.Load(); taken < 300 {
		t.Fatalf("%d frames taken out of gortsplib's stream for 300 access units", taken)
	}
	if e := h.errors.Load(); e != 0 {
		t.Fatalf("%d decode errors", e)
	}

	sending.Store(false) // the camera goes silent: gortsplib's watchdog ends the pull
	select {
	case err := <-done:
		if !errors.Is(classify(err), ErrTimeout) {
			t.Fatalf("the pull of a silent camera ended with %v, want a timeout", err)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("the pull outlived a silent camera")
	}
}
