package webrtctest

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"vigil/internal/testwait"
)

// sender is a pion peer that sends one H.264 track to a Receiver, packets
// written as the test gives them.
type sender struct {
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
}

func newSender(t *testing.T, offer string) (*sender, string) {
	t.Helper()
	me, err := mediaEngine(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000}, "v", "s")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		t.Fatal(err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		t.Fatal(err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	return &sender{pc: pc, track: track}, pc.LocalDescription().SDP
}

// A picture cut short by the sender (a tile switched mid-frame) is
// dropped, with the FU-A it left unfinished: the next picture arrives
// alone and whole, as a decoder would take it.
func TestAPictureCutShortIsDroppedNotMerged(t *testing.T) {
	r, offer, err := New(Options{Videos: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	s, answer := newSender(t, offer)
	if err := r.Accept(answer); err != nil {
		t.Fatal(err)
	}

	fuA := func(start, end bool, body byte) []byte {
		h := byte(5) // IDR
		switch {
		case start:
			h |= 0x80
		case end:
			h |= 0x40
		}
		return []byte{0x7c, h, body, body, body}
	}
	var seq uint16 = 1000
	send := func(ts uint32, marker bool, payload []byte) {
		seq++
		if err := s.track.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 102, SequenceNumber: seq, Timestamp: ts, Marker: marker},
			Payload: payload}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	// Packets sent before the connection is up are lost: send whole
	// pictures until one arrives.
	for ts := uint32(0); ; ts += 3000 {
		send(ts, true, []byte{0x65, 0xaa})
		wait, cancelWait := context.WithTimeout(ctx, 100*time.Millisecond)
		_, err := r.Next(wait, 0)
		cancelWait()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no picture arrived")
		}
	}

	send(90000, false, []byte{0x06, 0x05, 0x01, 0x11}) // the first picture's SEI,
	send(90000, false, fuA(true, false, 0x22))         // its IDR's first fragment; then the switch:
	send(93000, false, []byte{0x06, 0x05, 0x01, 0x33}) // the next picture's SEI
	send(93000, false, fuA(true, false, 0x44))         // and its IDR, whole
	send(93000, true, fuA(false, true, 0x55))
	var f Frame
	for f.Timestamp != 93000 {
		if f, err = r.Next(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	want := [][]byte{{0x06, 0x05, 0x01, 0x33}, {0x65, 0x44, 0x44, 0x44, 0x55, 0x55, 0x55}}
	if len(f.NALUs) != len(want) || string(f.NALUs[0]) != string(want[0]) || string(f.NALUs[1]) != string(want[1]) {
		t.Fatalf("the picture after the cut holds % x, want % x", f.NALUs, want)
	}
	if f.Gap {
		t.Error("the picture after the cut is marked as following lost packets; none were lost")
	}
	if n := r.Truncated(); n != 1 {
		t.Errorf("Truncated() = %d, want 1", n)
	}
}
