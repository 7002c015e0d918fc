package webrtc

import (
	"context"
	"testing"

	"vigil/internal/testwait"
)

// TestNACKResendsTheSamePackets: the packets a viewer asks again come with
// the sequence numbers and payloads they first had. The sent log keeps
// each header by value and shares the payloads with the camera's other
// viewers, so a header kept by reference or a payload the feed changed
// after writing would show here.
func TestNACKResendsTheSamePackets(t *testing.T) {
	cam := startFakeCamera(t, 1, 25)
	s, rx := connect(t, newTestEngine(t), 1, nil)
	s.Feed(0).Attach(cam.hub)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
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
