package rtsp

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
)

// overlapHandler counts the calls that began while another was running.
type overlapHandler struct {
	recordingHandler
	inside, overlaps, video, audio atomic.Int32
}

func (h *overlapHandler) call(count *atomic.Int32) {
	if h.inside.Add(1) > 1 {
		h.overlaps.Add(1)
	}
	for range 100 { // a handler's work: room for another call to begin
		runtime.Gosched()
	}
	h.inside.Add(-1)
	count.Add(1)
}

func (h *overlapHandler) OnAccessUnit([][]byte, int64, time.Time) { h.call(&h.video) }
func (h *overlapHandler) OnAudio([][]byte, int64, time.Time)      { h.call(&h.audio) }

// TestUDPVideoAndAudioComeOneAtATime pulls a camera's video and audio
// over UDP, where gortsplib reads each track's socket on a goroutine of
// its own, and checks that the handler is never called twice at once.
func TestUDPVideoAndAudioComeOneAtATime(t *testing.T) {
	url, stream := serveStream(t, &format.H264{PayloadTyp: 96, PacketizationMode: 1},
		&format.G711{PayloadTyp: 8, SampleRate: 8000, ChannelCount: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	camera := func(media int, pt uint8, payload func(n int) []byte) {
		clock := time.NewTicker(time.Millisecond)
		defer clock.Stop()
		for n := 0; ctx.Err() == nil; n++ {
			stream.WritePacketRTP(stream.Desc.Medias[media], &rtp.Packet{
				Header:  rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: uint16(n), Timestamp: uint32(n * 160), Marker: true},
				Payload: payload(n),
			})
			<-clock.C
		}
	}
	go camera(0, 96, func(n int) []byte {
		if n%10 == 0 {
			return []byte{0x65, 0x88, byte(n)} // IDR
		}
		return []byte{0x41, 0x9a, byte(n)}
	})
	go camera(1, 8, func(int) []byte { return make([]byte, 160) })

	h := &overlapHandler{recordingHandler: recordingHandler{desc: make(chan Description, 1)}}
	done := make(chan error, 1)
	go func() { done <- Play(ctx, ClientOptions{URL: url, Transport: "udp", Audio: true}, h) }()
	testwait.For(t, "300 video and 300 audio calls", func() bool {
		select {
		case err := <-done:
			t.Fatalf("the pull ended: %v", err)
		default:
		}
		return h.video.Load() >= 300 && h.audio.Load() >= 300
	})
	if n := h.overlaps.Load(); n > 0 {
		t.Fatalf("%d calls began while another was running", n)
	}
	cancel()
	<-done
}
