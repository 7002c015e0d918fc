package signal

import (
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/internal/ids"
	"vigil/streams/playback"
)

func TestDecodePlaybackMessages(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want ClientMessage
	}{
		{`{"type":"play","tile":2,"camera":"bjx-nsq-01","start":"2026-03-01T08:00:00Z","speed":4}`,
			ClientMessage{Type: TypePlay, Tile: 2, Camera: "bjx-nsq-01", Start: at, Speed: 4}},
		{`{"type":"play","tile":2,"camera":"a","start":"2026-03-01T16:00:00+08:00"}`, ClientMessage{Type: TypePlay, Tile: 2, Camera: "a", Start: at}},
		{`{"type":"play","tile":0}`, ClientMessage{Type: TypePlay}},
		{`{"type":"play","tile":0,"speed":0.125}`, ClientMessage{Type: TypePlay, Speed: 0.125}},
		{`{"type":"pause","tile":24}`, ClientMessage{Type: TypePause, Tile: 24}},
		{`{"type":"step","tile":1}`, ClientMessage{Type: TypeStep, Tile: 1}},
		{`{"type":"live","tile":1}`, ClientMessage{Type: TypeLive, Tile: 1}},
		{`{"type":"link","tiles":[0,3,1]}`, ClientMessage{Type: TypeLink, List: []int{0, 3, 1}}},
		{`{"type":"link","tiles":[]}`, ClientMessage{Type: TypeLink, List: []int{}}},
	} {
		got, err := DecodeClientMessage([]byte(tc.in))
		if err != nil || got.Type != tc.want.Type || got.Tile != tc.want.Tile || got.Camera != tc.want.Camera ||
			!got.Start.Equal(tc.want.Start) || got.Speed != tc.want.Speed || !slices.Equal(got.List, tc.want.List) {
			t.Errorf("%s: %+v %v", tc.in, got, err)
		}
	}
	for _, in := range []string{
		`{"type":"play","tile":0,"camera":"a"}`, `{"type":"play","tile":0,"start":"2026-03-01T08:00:00Z"}`,
		`{"type":"play","tile":0,"camera":"a","start":"yesterday"}`, `{"type":"play","tile":0,"camera":"A","start":"2026-03-01T08:00:00Z"}`,
		`{"type":"play","tile":0,"speed":17}`, `{"type":"play","tile":0,"speed":0}`, `{"type":"play","tile":0,"speed":-1}`,
		`{"type":"play","tile":0,"speed":1e400}`, `{"type":"play","tile":25}`, `{"type":"play"}`,
		`{"type":"pause","tile":0,"speed":1}`, `{"type":"step"}`, `{"type":"live","tile":0,"camera":"a"}`,
		`{"type":"link"}`, `{"type":"link","tiles":[25]}`, `{"type":"link","tiles":[-1]}`, `{"type":"link","tiles":[0],"tile":0}`,
		`{"type":"link","tiles":[` + strings.Repeat("0,", 25) + `0]}`,
	} {
		if m, err := DecodeClientMessage([]byte(in)); err == nil {
			t.Errorf("%.80s: accepted as %+v", in, m)
		}
	}
}

// checkPlayback is what FuzzDecodeClientMessage checks of an accepted
// playback message.
func checkPlayback(t *testing.T, m ClientMessage) {
	t.Helper()
	if m.Type == TypeLink {
		if len(m.List) > Tiles || slices.ContainsFunc(m.List, func(i int) bool { return i < 0 || i >= Tiles }) {
			t.Fatalf("accepted %+v", m)
		}
		return
	}
	if m.Tile < 0 || m.Tile >= Tiles || (m.Speed != 0 && playback.CheckSpeed(m.Speed) != nil) {
		t.Fatalf("accepted %+v", m)
	}
	if m.Type == TypePlay && m.Camera != "" && (!ids.Valid(m.Camera) || m.Start.IsZero()) {
		t.Fatalf("accepted %+v", m)
	}
}
