package webrtc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	pion "github.com/pion/webrtc/v4"

	"vigil/streams/webrtc/webrtctest"
)

// withCandidates adds host candidates on ports first..first+n-1 to the
// offer's first media section.
func withCandidates(offer string, n, first int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host\r\n", i+1000, first+i)
	}
	i := strings.Index(offer, "a=mid:")
	return offer[:i] + b.String() + offer[i:]
}

func receiverOffer(t *testing.T) string {
	t.Helper()
	rx, offer, err := webrtctest.NewReceiver(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rx.Close)
	return offer
}

// TestOfferCandidatesAreCapped: an offer naming 900 addresses is refused
// before any ICE agent exists; 900 copies of one address are one address.
func TestOfferCandidatesAreCapped(t *testing.T) {
	e := newTestEngine(t)
	_, _, err := e.NewSession(context.Background(), SessionOptions{Offer: withCandidates(receiverOffer(t), 900, 20000)})
	if !errors.Is(err, ErrBadOffer) || !strings.Contains(err.Error(), "ICE candidate") {
		t.Fatalf("900 candidates: %v, want ErrBadOffer naming the candidates", err)
	}
	offer := receiverOffer(t)
	for i := 0; i < 900; i++ {
		offer = strings.Replace(offer, "a=mid:", "a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\na=mid:", 1)
	}
	s, _, err := e.NewSession(context.Background(), SessionOptions{Offer: offer})
	if err != nil {
		t.Fatalf("one address listed 900 times: %v", err)
	}
	s.Close()
}

// TestTrickledCandidatesAreCapped: with the offer's own addresses, a
// session takes trickled candidates up to MaxCandidates distinct
// addresses, refuses the next, and still takes one it knows.
func TestTrickledCandidatesAreCapped(t *testing.T) {
	s, _ := connect(t, newTestEngine(t), 1, nil)
	known := len(s.candidates.seen)
	cand := func(port int) pion.ICECandidateInit {
		mid, idx := "0", uint16(0)
		return pion.ICECandidateInit{Candidate: fmt.Sprintf("candidate:7 1 udp 2130706431 127.0.0.1 %d typ host", port),
			SDPMid: &mid, SDPMLineIndex: &idx}
	}
	for i := known; i < MaxCandidates; i++ {
		if err := s.AddCandidate(cand(30000 + i)); err != nil {
			t.Fatalf("candidate %d of %d: %v", i+1, MaxCandidates, err)
		}
	}
	if err := s.AddCandidate(cand(40000)); err == nil {
		t.Fatalf("candidate %d accepted", MaxCandidates+1)
	}
	if err := s.AddCandidate(cand(30000 + known)); err != nil {
		t.Fatalf("a known address again: %v", err)
	}
}

// FuzzOfferCandidates: any offer text is counted without a panic, and
// never past the cap.
func FuzzOfferCandidates(f *testing.F) {
	f.Add("v=0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n")
	f.Add("a=candidate:garbage\na=candidate:\na=candidate:1 1 tcp 1 ::1 0 typ host tcptype passive\n")
	f.Fuzz(func(t *testing.T, sdp string) {
		var s candidateSet
		_ = s.addOfferCandidates(sdp)
		if len(s.seen) > MaxCandidates {
			t.Fatalf("%d addresses noted", len(s.seen))
		}
	})
}
