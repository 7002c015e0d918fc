package signal

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestSlowConsoleIsDropped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{ctx: ctx, cancel: cancel, out: make(chan []byte, 2), log: slog.Default()}
	for i := 0; i < 2; i++ {
		c.send(errorMsg{Type: "error", Message: "x"})
	}
	if ctx.Err() != nil {
		t.Fatal("dropped with room in the queue")
	}
	c.send(errorMsg{Type: "error", Message: "one too many"}) // must not block
	if ctx.Err() == nil || c.closeCode != CloseTooSlow {
		t.Fatalf("overflow: ctx %v, close code %d", ctx.Err(), c.closeCode)
	}
	c.send(errorMsg{Type: "error", Message: "after"}) // closed: dropped quietly
	if c.closeCode != CloseTooSlow {
		t.Fatalf("close code changed to %d", c.closeCode)
	}
}

func TestTooManyErrorsEndTheConnection(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{ctx: ctx, cancel: cancel, out: make(chan []byte, 100), log: slog.Default()}
	for i := 0; i < maxErrors; i++ {
		c.reject("bad")
	}
	if ctx.Err() != nil {
		t.Fatalf("closed after %d errors", maxErrors)
	}
	c.reject("bad")
	if c.closeCode != CloseTooMany {
		t.Fatalf("close code %d, want %d", c.closeCode, CloseTooMany)
	}
}

func TestSoundComingLaterUpdatesThePlayingTile(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &conn{ctx: ctx, cancel: cancel, out: make(chan []byte, 10), log: slog.Default()}
	c.shown[3] = tileView{camera: "cam", attached: true, last: TileMsg{Type: "tile", Tile: 3, Camera: "cam", State: "playing"}}
	c.shown[4] = tileView{camera: "other", attached: true, last: TileMsg{Type: "tile", Tile: 4, Camera: "other", State: "playing"}}
	c.onHealth(CameraHealth{ID: "cam", Station: "bjx", State: "online", Audio: true})
	var got []map[string]any
	for len(c.out) > 0 {
		var m map[string]any
		if err := json.Unmarshal(<-c.out, &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["type"] != "camera" || got[0]["audio"] != true ||
		got[1]["type"] != "tile" || got[1]["tile"] != float64(3) || got[1]["audio"] != true {
		t.Fatalf("messages %v, want the camera's health then tile 3 with audio", got)
	}
	c.onHealth(CameraHealth{ID: "cam", Station: "bjx", State: "online", Audio: true})
	if len(c.out) != 1 {
		t.Fatalf("%d messages for an unchanged sound, want the health only", len(c.out))
	}
}
