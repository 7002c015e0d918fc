package signal

import (
	"strings"
	"testing"

	"vigil/internal/ids"
)

func TestDecodeClientMessage(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ClientMessage
	}{
		{`{"type":"offer","sdp":"v=0"}`, ClientMessage{Type: TypeOffer, SDP: "v=0"}},
		{`{"type":"assign","tile":24,"camera":"bjx-nsq-01"}`, ClientMessage{Type: TypeAssign, Tile: 24, Camera: "bjx-nsq-01", Quality: "main"}},
		{`{"type":"assign","tile":0,"camera":"a","quality":"sub"}`, ClientMessage{Type: TypeAssign, Camera: "a", Quality: "sub"}},
		{`{"type":"assign","tile":0,"camera":"a","quality":""}`, ClientMessage{Type: TypeAssign, Camera: "a", Quality: "main"}},
		{`{"type":"clear","tile":3}`, ClientMessage{Type: TypeClear, Tile: 3}},
		{`{"type":"follow","wall":""}`, ClientMessage{Type: TypeFollow}},
		{`{"type":"follow","wall":"main"}`, ClientMessage{Type: TypeFollow, Wall: "main"}},
	} {
		got, err := DecodeClientMessage([]byte(tc.in))
		if err != nil || got.Type != tc.want.Type || got.SDP != tc.want.SDP || got.Tile != tc.want.Tile ||
			got.Camera != tc.want.Camera || got.Quality != tc.want.Quality || got.Wall != tc.want.Wall {
			t.Errorf("%s: %+v %v", tc.in, got, err)
		}
	}
	c, err := DecodeClientMessage([]byte(`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"}}`))
	if err != nil || c.Candidate.SDPMid == nil || *c.Candidate.SDPMid != "0" || !strings.HasPrefix(c.Candidate.Candidate, "candidate:1") {
		t.Errorf("candidate: %+v %v", c, err)
	}
}

func TestDecodeClientMessageRefuses(t *testing.T) {
	for _, in := range []string{
		``, `null`, `[]`, `"offer"`, `{}`, `{"type":""}`, `{"type":"nope"}`,
		`{"type":"offer"}`, `{"type":"offer","sdp":""}`, `{"type":"offer","sdp":1}`,
		`{"type":"offer","sdp":"v=0","tile":1}`, `{"type":"offer","sdp":"v=0"} {}`, `{"type":"offer","sdp":"v=0"}x`,
		`{"type":"candidate"}`, `{"type":"candidate","candidate":"x"}`, `{"type":"candidate","candidate":{"bogus":1}}`,
		`{"type":"assign","camera":"a"}`, `{"type":"assign","tile":25,"camera":"a"}`, `{"type":"assign","tile":-1,"camera":"a"}`,
		`{"type":"assign","tile":1.5,"camera":"a"}`, `{"type":"assign","tile":"1","camera":"a"}`,
		`{"type":"assign","tile":1}`, `{"type":"assign","tile":1,"camera":""}`, `{"type":"assign","tile":1,"camera":"A"}`,
		`{"type":"assign","tile":1,"camera":"a/../b"}`, `{"type":"assign","tile":1,"camera":"` + strings.Repeat("a", 65) + `"}`,
		`{"type":"assign","tile":1,"camera":"a","quality":"hd"}`, `{"type":"assign","tile":1,"camera":"a","extra":1}`,
		`{"type":"clear"}`, `{"type":"clear","tile":99}`, `{"type":"follow"}`, `{"type":"follow","wall":"Main"}`,
		`{"type":"assign","tile":1,"camera":"a","sdp":"` + strings.Repeat("x", MaxMessage) + `"}`,
		`{"type":"offer","sdp":"` + strings.Repeat("x", MaxOfferMessage) + `"}`,
	} {
		if m, err := DecodeClientMessage([]byte(in)); err == nil {
			t.Errorf("%.80s: accepted as %+v", in, m)
		} else if len(err.Error()) > 300 {
			t.Errorf("%.80s: error of %d bytes", in, len(err.Error()))
		}
	}
	// An offer may be larger than other messages: 25 m-lines.
	big := `{"type":"offer","sdp":"` + strings.Repeat("x", 200<<10) + `"}`
	if _, err := DecodeClientMessage([]byte(big)); err != nil {
		t.Errorf("a 200 KiB offer: %v", err)
	}
}

func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"offer","sdp":"v=0"}`,
		`{"type":"candidate","candidate":{"candidate":"c","sdpMid":"0","sdpMLineIndex":0}}`,
		`{"type":"assign","tile":3,"camera":"bjx-nsq-01","quality":"sub"}`,
		`{"type":"clear","tile":3}`, `{"type":"follow","wall":"main"}`, `{"type":"follow","wall":""}`,
		`{"type":"assign","tile":1e9,"camera":"x"}`, `{"type":"candidate","candidate":{"sdpMLineIndex":70000}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeClientMessage(data)
		if err != nil {
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		switch m.Type {
		case TypeOffer:
			if m.SDP == "" {
				t.Fatal("offer without sdp")
			}
		case TypeAssign:
			if m.Tile < 0 || m.Tile >= Tiles || !ids.Valid(m.Camera) || (m.Quality != "main" && m.Quality != "sub") {
				t.Fatalf("accepted %+v", m)
			}
		case TypeClear, TypeAudio:
			if m.Tile < 0 || m.Tile >= Tiles {
				t.Fatalf("accepted %+v", m)
			}
		case TypeMute:
		case TypeFollow:
			if m.Wall != "" && !ids.Valid(m.Wall) {
				t.Fatalf("accepted %+v", m)
			}
		case TypeTour, TypeTourPause:
			if m.Tile < 0 || m.Tile >= Tiles || (m.Grid && m.Tile != 0) || (m.Tour != "" && !ids.Valid(m.Tour)) ||
				m.Tiles < 0 || m.Tiles > Tiles || m.Step < 0 {
				t.Fatalf("accepted %+v", m)
			}
		case TypeCandidate:
		case TypePlay, TypePause, TypeStep, TypeLive, TypeLink:
			checkPlayback(t, m)
		default:
			t.Fatalf("accepted type %q", m.Type)
		}
		if m.Type != TypeOffer && len(data) > MaxMessage {
			t.Fatalf("accepted %d bytes", len(data))
		}
	})
}
