package signal

import (
	"testing"
	"time"

	"vigil/gateway/catalog"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/media"
)

func testCatalog() *catalog.Catalog {
	cam := func(id, st string) *catalog.Camera {
		return &catalog.Camera{ID: id, Station: st, MainHub: hub.New(hub.Options{ID: id})}
	}
	return catalog.New([]*catalog.Station{
		{ID: "bjx", Cameras: []*catalog.Camera{cam("bjx-1", "bjx")}},
		{ID: "bj", Cameras: []*catalog.Camera{cam("bj-1", "bj")}},
	}, nil)
}

func TestHealthTellsChanges(t *testing.T) {
	cat := testCatalog()
	h := NewHealth(cat, 10*time.Millisecond)
	defer h.Close()
	if snap := h.Snapshot(); len(snap) != 2 || snap[0].ID != "bj-1" || snap[0].State != "connecting" {
		t.Fatalf("snapshot %+v", snap)
	}
	got := make(chan CameraHealth, 10)
	unsubscribe := h.Subscribe(func(c CameraHealth) { got <- c })

	c, _ := cat.Camera("bjx-1")
	c.MainHub.SetStatus(hub.Status{State: hub.StateOnline, Track: media.Track{Codec: media.CodecH264, Width: 640, Height: 360}})
	select {
	case ch := <-got:
		if ch.ID != "bjx-1" || ch.Station != "bjx" || ch.State != "online" || ch.Width != 640 || ch.Codec != "H264" {
			t.Fatalf("change %+v", ch)
		}
	case <-time.After(testwait.Cap):
		t.Fatal("no change reported")
	}
	c.MainHub.SetStatus(hub.Status{State: hub.StateOffline, Reason: hub.ReasonUnreachable})
	if ch := <-got; ch.State != "offline" || ch.Reason != "unreachable" {
		t.Fatalf("change %+v", ch)
	}
	// Nothing changed: nothing is told.
	select {
	case ch := <-got:
		t.Fatalf("unchanged camera reported: %+v", ch)
	case <-time.After(50 * time.Millisecond):
	}
	// A second subscriber stays: once it has been told of the next change,
	// the first would have been too, had it not unsubscribed.
	witness := make(chan CameraHealth, 10)
	defer h.Subscribe(func(c CameraHealth) { witness <- c })()
	unsubscribe()
	c.MainHub.SetStatus(hub.Status{State: hub.StateConnecting})
	if ch := <-witness; ch.State != "connecting" {
		t.Fatalf("witness told %+v", ch)
	}
	if len(got) != 0 {
		t.Fatal("told after unsubscribing")
	}
}
