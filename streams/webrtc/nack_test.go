package webrtc

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vigil/internal/testwait"
)

// TestNACKResendsTheSamePackets: the packets a viewer asks again come with
// the sequence numbers and payloads they first had. The sent log keeps
// each header by value and shares the payloads with the camera's other
// viewers, so a header kept by reference or a payload the feed changed
// after writing would show here.
//
// The camera publishes twelve frames and stops: the history then holds
// every packet sent, however late the NACK arrives on a busy machine
// (with a camera that went on, the packets asked for could leave the
// history before the NACK came, and the test gave up after two minutes).
func TestNACKResendsTheSamePackets(t *testing.T) {
	cam := startFakeCameraFor(t, 1, 25, 12) // 12 frames of three packets: well inside nackHistory
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	var seqs []uint16
	for len(seqs) < 24 { // eight frames of three packets
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
	// A NACK or a retransmission can be lost on a busy machine, as on a
	// network: like a browser, the test asks again for what is still
	// missing, at most every 100 ms.
	var asked time.Time
	testwait.For(t, fmt.Sprintf("the %d packets asked again", len(seqs)), func() bool {
		missing := rx.NotRepeated(0, seqs)
		if len(missing) > 0 && time.Since(asked) > 100*time.Millisecond {
			if err := rx.SendNACK(0, missing...); err != nil {
				t.Fatal(err)
			}
			asked = time.Now()
		}
		return len(missing) == 0
	})
	if n, wrong := rx.Repeats(); wrong > 0 {
		t.Fatalf("%d of %d retransmissions differ from the packet first sent", wrong, n)
	}
}
