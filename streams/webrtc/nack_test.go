package webrtc

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/rtp"

	"vigil/internal/testwait"
	"vigil/streams/media"
)

// TestNACKResendsTheSamePackets: the packets a viewer asks again come with
// the sequence numbers and payloads they first had. The NACK history keeps
// the feed's packets without a copy, so a header or payload the feed
// reused or changed after writing would show here.
func TestNACKResendsTheSamePackets(t *testing.T) {
	cam := startFakeCamera(t, 1, 25)
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var seqs []uint16
	for len(seqs) < 24 { // eight frames of three packets, well inside the history
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for q := f.FirstSeq; ; q++ {
			seqs = append(seqs, q)
			if q == f.LastSeq {
				break
			}
		}
	}
	if err := rx.SendNACK(0, seqs...); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, "the packets asked again", func() bool { n, _ := rx.Repeats(); return n >= uint64(len(seqs)) })
	if n, wrong := rx.Repeats(); wrong > 0 {
		t.Fatalf("%d of %d retransmissions differ from the packet first sent", wrong, n)
	}
}

// BenchmarkNACKHistory is what a frame costs in the send path up to the
// NACK history, for 1 and 16 viewers of a camera: "copy" as before this
// change (payloads cut into each feed's reused buffer, one reused header,
// the history copying every packet), "shared" as now (payloads cut once
// per unit and shared, a header per packet, the history keeping them).
func BenchmarkNACKHistory(b *testing.B) {
	src := frame720p(false)
	for _, viewers := range []int{1, 16} {
		for _, shared := range []bool{false, true} {
			name := fmt.Sprintf("viewers=%d/%s", viewers, map[bool]string{false: "copy", true: "shared"}[shared])
			b.Run(name, func(b *testing.B) {
				opts := []nack.ResponderOption{nack.ResponderSize(nackHistory)}
				if shared {
					opts = append(opts, nack.DisableCopy())
				}
				writers := make([]interceptor.RTPWriter, viewers)
				cutters := make([]h264Packetizer, viewers)
				for v := range writers {
					f, err := nack.NewResponderInterceptor(opts...)
					if err != nil {
						b.Fatal(err)
					}
					in, err := f.NewInterceptor("")
					if err != nil {
						b.Fatal(err)
					}
					defer in.Close()
					info := &interceptor.StreamInfo{SSRC: uint32(v + 1), RTCPFeedback: []interceptor.RTCPFeedback{{Type: "nack"}}}
					writers[v] = in.BindLocalStream(info, interceptor.RTPWriterFunc(
						func(_ *rtp.Header, p []byte, _ interceptor.Attributes) (int, error) { return len(p), nil }))
				}
				var reused rtp.Header
				seq := uint16(0)
				b.ReportAllocs()
				for range b.N {
					au := &media.AccessUnit{NALUs: src.NALUs} // a new frame
					for v, w := range writers {
						var payloads [][]byte
						var headers []rtp.Header
						if shared {
							payloads = au.Derived(h264Payloads)
							headers = make([]rtp.Header, len(payloads))
						} else {
							payloads = cutters[v].payloads(au.NALUs, rtpPayloadSize)
						}
						for i, p := range payloads {
							h := &reused
							if shared {
								h = &headers[i]
							}
							*h = rtp.Header{Version: 2, SSRC: uint32(v + 1), SequenceNumber: seq + uint16(i), Marker: i == len(payloads)-1}
							if _, err := w.Write(h, p, nil); err != nil {
								b.Fatal(err)
							}
						}
					}
					seq += 9
				}
			})
		}
	}
}
