package webrtc

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/ice/v4"
)

// MaxCandidates bounds the distinct remote ICE addresses of one session,
// in its offer and trickled together. The ICE agent sends STUN checks to
// every address a viewer lists, so without a bound one offer could aim
// the gateway's packets at hundreds of ports of any host. A browser lists
// a few per network interface; an offer beyond the bound is refused
// (ErrBadOffer), a trickled candidate beyond it is refused and ignored.
const MaxCandidates = 16

// candidateSet counts the distinct addresses (transport, address, port)
// a session's viewer has named.
type candidateSet struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// add notes candidate c ("candidate:…", with or without "a="), or
// refuses it when it would be address MaxCandidates+1.
func (s *candidateSet) add(c string) error {
	key := candidateKey(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[key]; ok {
		return nil
	}
	if len(s.seen) >= MaxCandidates {
		return fmt.Errorf("more than %d ICE candidate addresses", MaxCandidates)
	}
	if s.seen == nil {
		s.seen = make(map[string]struct{})
	}
	s.seen[key] = struct{}{}
	return nil
}

// candidateKey is what makes a candidate another target: its transport,
// address and port; a candidate ICE cannot parse is keyed by its text, so
// garbage counts too.
func candidateKey(c string) string {
	c = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "a="))
	parsed, err := ice.UnmarshalCandidate(c)
	if err != nil {
		return "raw " + c
	}
	return parsed.NetworkType().String() + " " + parsed.Address() + " " + strconv.Itoa(parsed.Port())
}

// addOfferCandidates notes every candidate line of an SDP offer.
func (s *candidateSet) addOfferCandidates(sdp string) error {
	for line := range strings.Lines(sdp) {
		if strings.HasPrefix(line, "a=candidate:") {
			if err := s.add(line); err != nil {
				return err
			}
		}
	}
	return nil
}
