package signal

import (
	"reflect"
	"testing"
)

func TestDecodeTourMessages(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ClientMessage
	}{
		{`{"type":"tour","tile":3,"tour":"0123abcd"}`, ClientMessage{Type: TypeTour, Tile: 3, Tour: "0123abcd"}},
		{`{"type":"tour","tile":3,"tour":"t1","step":4}`, ClientMessage{Type: TypeTour, Tile: 3, Tour: "t1", Step: 4}},
		{`{"type":"tour","tile":"grid","tour":"t1","tiles":25}`, ClientMessage{Type: TypeTour, Grid: true, Tour: "t1", Tiles: 25}},
		{`{"type":"tour","tile":"grid","tour":""}`, ClientMessage{Type: TypeTour, Grid: true}},
		{`{"type":"tour","tile":0,"tour":""}`, ClientMessage{Type: TypeTour}},
		{`{"type":"tour_pause","tile":"grid","paused":true}`, ClientMessage{Type: TypeTourPause, Grid: true, Paused: true}},
		{`{"type":"tour_pause","tile":24,"paused":false}`, ClientMessage{Type: TypeTourPause, Tile: 24}},
	} {
		got, err := DecodeClientMessage([]byte(tc.in))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestDecodeTourMessagesRefuses(t *testing.T) {
	for _, in := range []string{
		`{"type":"tour","tour":"t1"}`, `{"type":"tour","tile":25,"tour":"t1"}`, `{"type":"tour","tile":-1,"tour":"t1"}`,
		`{"type":"tour","tile":"Grid","tour":"t1","tiles":4}`, `{"type":"tour","tile":"3","tour":"t1"}`,
		`{"type":"tour","tile":1}`, `{"type":"tour","tile":1,"tour":"T1"}`, `{"type":"tour","tile":1,"tour":"a/b"}`,
		`{"type":"tour","tile":"grid","tour":"t1"}`, `{"type":"tour","tile":"grid","tour":"t1","tiles":0}`,
		`{"type":"tour","tile":"grid","tour":"t1","tiles":26}`, `{"type":"tour","tile":1,"tour":"t1","tiles":4}`,
		`{"type":"tour","tile":1,"tour":"t1","step":-1}`, `{"type":"tour","tile":1,"tour":"t1","camera":"a"}`,
		`{"type":"tour_pause","tile":1}`, `{"type":"tour_pause","paused":true}`, `{"type":"tour_pause","tile":1,"paused":1}`,
		`{"type":"tour_pause","tile":1,"paused":true,"tour":"t1"}`,
		`{"type":"assign","tile":"grid","camera":"a"}`, `{"type":"clear","tile":"grid"}`, `{"type":"audio","tile":"grid"}`,
	} {
		if m, err := DecodeClientMessage([]byte(in)); err == nil {
			t.Errorf("%s: accepted as %+v", in, m)
		}
	}
}
