package gateway_test

import (
	"context"
	"testing"
	"time"

	"vigil/internal/testwait"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// Never a dead screen: a tile whose camera drops says so (with the reason,
// and the camera's health changes for the console), and plays again by
// itself, from a keyframe, when the camera is back.
func TestConsoleTileShowsOfflineAndRecovers(t *testing.T) {
	// Each frame carries its send time, to tell the camera's next life
	// from frames of this one still on their way.
	cam := startCamera(t, sim.ServerOptions{Width: 160, Height: 96,
		Configure: func(_ string, o *sim.CameraOptions) { o.Tag = frameTagSEI }})
	g, token := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": {"bjx-t-00"}}))
	hubs := mainHubs(t, g, []string{"bjx-t-00"})
	waitOnline(t, hubs["bjx-t-00"])

	c := dialConsole(t, g.URL(), token, "")
	rx := c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-t-00"})
	c.waitFor(t, "tile 0 playing", isTile(0, "playing"))

	cam.Stop()
	// Every frame sent from now on fails until Start, then is of the
	// camera's next life.
	stopped := time.Now()
	// The tile's state and the camera's health arrive in either order.
	var tileOff, healthOff map[string]any
	c.waitFor(t, "tile 0 and camera offline", func(m map[string]any) bool {
		switch {
		case isTile(0, "offline")(m):
			tileOff = m
		case m["type"] == "camera" && m["id"] == "bjx-t-00" && m["state"] == "offline":
			healthOff = m
		}
		return tileOff != nil && healthOff != nil
	})
	if reason, _ := tileOff["reason"].(string); reason == "" {
		t.Errorf("offline tile without a reason: %v", tileOff)
	}

	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "tile 0 playing again", isTile(0, "playing"))
	f := firstFrameSentAfter(t, rx, stopped)
	if !f.IsKey() {
		t.Fatalf("first frame after the camera came back has NAL types %v, want a keyframe", f.NALTypes())
	}
}

// firstFrameSentAfter skips the frames the camera sent before since: the
// last ones before a drop travel apart from the console's messages and may
// arrive after the tile said "offline" (draining the receiver then missed
// one beside two busy loops, and its P-frame was taken for the first frame
// of the camera's next life).
func firstFrameSentAfter(t *testing.T, rx *webrtctest.Receiver, since time.Time) webrtctest.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Cap)
	defer cancel()
	for {
		f, err := rx.Next(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, sent := frameTag(t, f); !sent.Before(since) {
			return f
		}
	}
}
