package gateway_test

import (
	"fmt"
	"testing"
	"time"

	"vigil/gateway"
	"vigil/gateway/catalog"
	"vigil/internal/testwait"
	"vigil/streams/hub"
	"vigil/streams/sim"
	"vigil/streams/webrtc/webrtctest"
)

// startCameras runs n simulated cameras and a gateway pulling them as
// station bjx's cameras bjx-t-00, bjx-t-01, ...
func startCameras(t *testing.T, n int, opts sim.ServerOptions) (*gateway.Gateway, string, []string) {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		opts.Names = append(opts.Names, fmt.Sprintf("cam%d", i))
		ids[i] = fmt.Sprintf("bjx-t-%02d", i)
	}
	cam := startCamera(t, opts)
	g, token := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{"bjx": ids}))
	return g, token, ids
}

func mainHubs(t *testing.T, g *gateway.Gateway, ids []string) map[string]*hub.Hub {
	t.Helper()
	out := make(map[string]*hub.Hub, len(ids))
	for _, id := range ids {
		c, ok := g.Catalog().Camera(id)
		if !ok {
			t.Fatalf("no camera %s", id)
		}
		out[id] = c.Hub(catalog.Main)
	}
	return out
}

// checkTracks reads frames until every tile of want has shown want[tile]
// from a keyframe on, for at least frames frames, and fails when any
// frame on a tile belongs to another camera.
func checkTracks(t *testing.T, rx *webrtctest.Receiver, tp *tap, want map[int]string, frames int) {
	t.Helper()
	rcvbuf0, inErr0, _ := webrtctest.UDPReceiveErrors()
	st, all := receiveTracks(t, rx, want, frames)
	tp.waitKnown(t, all)
	gaps, unknown := 0, 0
	for tile, s := range st {
		identified := 0
		for i, f := range s.received {
			owners := tp.owner(sliceHash(f.NALUs))
			switch {
			case f.Gap:
				gaps++ // judged below: whose loss was it?
			case len(owners) == 0 && tp.skipped() > 0:
				unknown++ // a picture the lagging taps skipped
			case len(owners) == 0:
				t.Errorf("tile %d frame %d: published by no camera", tile, i)
			case !owners[want[tile]]:
				t.Fatalf("tile %d shows %v, want %s (frame %d)", tile, owners, want[tile], i)
			case len(owners) == 1:
				identified++
			}
		}
		if identified < frames/2 {
			t.Errorf("tile %d: only %d of %d frames identify %s", tile, identified, len(s.received), want[tile])
		}
	}
	if gaps > 0 {
		judgeLoss(t, rx, gaps, rcvbuf0, inErr0)
	}
	if unknown > 0 {
		t.Logf("%d frames not identified: the taps fell behind their hubs %d times", unknown, tp.skipped())
	}
}

// trackFrames is what one tile received from its first keyframe on.
type trackFrames struct {
	started  bool // a keyframe of the right camera arrived
	received []webrtctest.Frame
}

// receiveTracks collects frames until every tile in want has frames of
// them from its first keyframe on; all holds them in arrival order.
func receiveTracks(t *testing.T, rx *webrtctest.Receiver, want map[int]string, frames int) (map[int]*trackFrames, []webrtctest.Frame) {
	t.Helper()
	st := make(map[int]*trackFrames, len(want))
	for tile := range want {
		st[tile] = &trackFrames{}
	}
	var all []webrtctest.Frame
	pending := len(want)
	take := func(f webrtctest.Frame) {
		s, ok := st[f.Track]
		if !ok {
			t.Fatalf("frame on tile %d, which shows nothing", f.Track)
		}
		if !s.started && !f.IsKey() {
			return // in flight from before the assignment
		}
		s.started = true
		s.received = append(s.received, f)
		all = append(all, f)
		if len(s.received) == frames {
			pending--
		}
	}
	played := testwait.Until(t, func() bool {
		for {
			select {
			case f := <-rx.Frames():
				take(f)
			default:
				return pending == 0
			}
		}
	})
	if !played {
		for tile, s := range st {
			if len(s.received) < frames {
				t.Errorf("tile %d (%s): %d frames", tile, want[tile], len(s.received))
			}
		}
		t.Fatal("not every tile played")
	}
	return st, all
}

// judgeLoss fails the test for packets the gateway lost, not for those the
// test's own receiver dropped on a busy machine (a full socket buffer or
// stream queue): only loss the receiver's drops do not explain counts.
func judgeLoss(t *testing.T, rx *webrtctest.Receiver, gaps int, rcvbuf0, inErr0 uint64) {
	t.Helper()
	loss := rx.Loss()
	rcvbuf, inErr, _ := webrtctest.UDPReceiveErrors()
	if n := loss.Unexplained(); n > 0 {
		t.Errorf("%d frames follow lost packets: %v; %d lost by the gateway (machine-wide UDP RcvbufErrors +%d, InErrors +%d)",
			gaps, loss, n, rcvbuf-rcvbuf0, inErr-inErr0)
		return
	}
	t.Logf("%d frames follow lost packets, all the test receiver's own: %v (machine-wide UDP RcvbufErrors +%d, InErrors +%d)",
		gaps, loss, rcvbuf-rcvbuf0, inErr-inErr0)
}

func TestConsoleSixteenTilesOnOnePeerConnection(t *testing.T) {
	g, token, ids := startCameras(t, 16, sim.ServerOptions{Width: 160, Height: 96, GOP: 100})
	hubs := mainHubs(t, g, ids)
	for _, h := range hubs {
		waitOnline(t, h)
	}
	tp := newTap(t, hubs)

	c := dialConsole(t, g.URL(), token, "")
	rx := c.negotiate(t)
	want := map[int]string{}
	for tile := 0; tile < 16; tile++ {
		want[tile] = ids[(tile*7+3)%16] // a permutation: crossed tracks cannot pass
		c.send(t, map[string]any{"type": "assign", "tile": tile, "camera": want[tile]})
	}
	tiles := make([]int, 16)
	for i := range tiles {
		tiles[i] = i
	}
	for tile, m := range c.waitPlaying(t, tiles...) {
		if m["camera"] != want[tile] || m["width"] != float64(160) || m["height"] != float64(96) {
			t.Errorf("tile %d: %v", tile, m)
		}
	}
	checkTracks(t, rx, tp, want, 30)
}

func TestConsoleSwitchesATileWithoutRenegotiation(t *testing.T) {
	g, token, ids := startCameras(t, 2, sim.ServerOptions{Width: 160, Height: 96, GOP: 100})
	hubs := mainHubs(t, g, ids)
	waitOnline(t, hubs[ids[0]], hubs[ids[1]])
	tp := newTap(t, hubs)

	c := dialConsole(t, g.URL(), token, "")
	rx := c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": ids[0]})
	checkTracks(t, rx, tp, map[int]string{0: ids[0]}, 25)

	switched := time.Now()
	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": ids[1], "quality": "main"})
	// Frames of the old camera may still be in flight; the first of the
	// new one must be its keyframe, and the old one must not come back.
	deadline := time.After(testwait.Cap)
	newFrames := 0
	for newFrames < 50 {
		select {
		case f := <-rx.Frames():
			owners := tp.owner(sliceHash(f.NALUs))
			if f.Track != 0 {
				t.Fatalf("frame on track %d", f.Track)
			}
			if owners[ids[1]] && !owners[ids[0]] {
				if newFrames == 0 {
					if !f.IsKey() {
						t.Fatalf("first frame of the new camera has NAL types %v, want a keyframe", f.NALTypes())
					}
					t.Logf("new camera's first frame %v after the assign", time.Since(switched))
				}
				newFrames++
			} else if newFrames > 0 && owners[ids[0]] {
				t.Fatal("the old camera came back after the switch")
			}
		case <-deadline:
			t.Fatalf("%d frames of the new camera within 10 s", newFrames)
		}
	}
	for {
		select {
		case m := <-c.msgs:
			if m["type"] == "answer" {
				t.Fatal("a second answer: the switch renegotiated")
			}
		default:
			return
		}
	}
}

func TestConsoleDeniesCamerasOutsideTheUsersStations(t *testing.T) {
	cam := startCamera(t, sim.ServerOptions{Names: []string{"cam0", "cam1"}, Width: 160, Height: 96})
	g, _ := startGateway(t, stationsConfig("rtsp://"+cam.Addr(), map[string][]string{
		"bjx": {"bjx-nsq-01"}, "bj": {"bj-zt-01"},
	}))
	token := addUser(t, g, "li", "dispatcher", "bj")
	c := dialConsole(t, g.URL(), token, "")
	c.negotiate(t)

	c.send(t, map[string]any{"type": "assign", "tile": 0, "camera": "bjx-nsq-01"})
	denied := c.waitFor(t, "denied", isTile(0, "denied"))
	c.send(t, map[string]any{"type": "assign", "tile": 1, "camera": "bjx-nsq-99"})
	unknown := c.waitFor(t, "denied", isTile(1, "denied"))
	delete(denied, "camera")
	delete(denied, "tile")
	delete(unknown, "camera")
	delete(unknown, "tile")
	if fmt.Sprint(denied) != fmt.Sprint(unknown) {
		t.Errorf("a hidden camera answers %v, an unknown one %v", denied, unknown)
	}
	c.send(t, map[string]any{"type": "assign", "tile": 2, "camera": "bj-zt-01", "quality": "sub"})
	c.waitFor(t, "playing", isTile(2, "playing"))
	bjx, _ := g.Catalog().Camera("bjx-nsq-01")
	if n := bjx.MainHub.Stats().Readers; n != 0 {
		t.Errorf("the hidden camera has %d readers", n)
	}
	// Health messages name only the user's cameras.
	deadline := time.After(time.Second)
	for {
		select {
		case m := <-c.msgs:
			if m["type"] == "camera" && m["station"] != "bj" {
				t.Fatalf("camera message about another station: %v", m)
			}
		case <-deadline:
			return
		}
	}
}

func TestConsoleNewOfferKeepsTheTiles(t *testing.T) {
	g, token, ids := startCameras(t, 2, sim.ServerOptions{Width: 160, Height: 96})
	hubs := mainHubs(t, g, ids)
	c0, _ := g.Catalog().Camera(ids[0])
	sub := ids[0] + "/sub"
	hubs[sub] = c0.Hub(catalog.Sub)
	waitOnline(t, hubs[ids[0]], hubs[ids[1]], hubs[sub])
	tp := newTap(t, hubs)

	c := dialConsole(t, g.URL(), token, "")
	old := c.negotiate(t)
	c.send(t, map[string]any{"type": "assign", "tile": 4, "camera": ids[1]})
	c.send(t, map[string]any{"type": "assign", "tile": 9, "camera": ids[0], "quality": "sub"})
	c.waitPlaying(t, 4, 9)

	// The console restarts its peer connection: the tiles follow.
	rx := c.negotiate(t)
	old.Close()
	c.waitPlaying(t, 4, 9)
	checkTracks(t, rx, tp, map[int]string{4: ids[1], 9: sub}, 25)
	// Each hub has its tap, and the two shown ones the new tile's reader:
	// the old peer connection's readers are gone.
	for id, want := range map[string]int{ids[0]: 1, ids[1]: 2, sub: 2} {
		if n := hubs[id].Stats().Readers; n != want {
			t.Errorf("%s: %d readers, want %d", id, n, want)
		}
	}
}
