package signal

import (
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/catalog"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/webrtc"
)

// assignment is what the console asked a tile to show (owned by the loop).
type assignment struct {
	view   View
	hub    *hub.Hub // the camera's stream; nil: the tile shows nothing
	stream *webrtc.Stream
	audio  *webrtc.Stream // nil: the camera has no sound to offer
}

// tileView is what a tile reports (shared with the feed callbacks).
type tileView struct {
	camera string
	// attached is true while a feed of the current session shows camera:
	// only then are feed events reported.
	attached bool
	last     TileMsg
	// native and sound are the camera's video and audio hubs, read when
	// reporting what the tile plays.
	native, sound *hub.Hub
	mode          string // ModeLive or ModePlayback while showing a camera
}

func (t *tileView) nativeCodec() media.Codec {
	if t.native == nil {
		return ""
	}
	return t.native.Status().Track.Codec
}

// hasAudio reports whether the tile's camera is sending sound now.
func (t *tileView) hasAudio() bool {
	return t.sound != nil && t.sound.Status().State == hub.StateOnline
}

// visibleCamera finds a camera the user may see; others do not exist.
func (c *conn) visibleCamera(id string) (*catalog.Camera, bool) {
	cam, ok := c.s.opts.Catalog.Camera(id)
	if !ok || !c.currentUser().CanSeeStation(cam.Station) {
		return nil, false
	}
	return cam, true
}

func (c *conn) assign(i int, id, quality string) {
	cam, ok := c.visibleCamera(id)
	if !ok {
		c.release(i)
		c.deny(i, id)
		return
	}
	if err := audit.Healthy(c.s.opts.Audit); err != nil {
		c.refuseUnaudited(i, cam.ID, err)
		return
	}
	stream := cam.Video(catalog.Quality(quality))
	h := stream.Native
	if a := c.tiles[i]; a.hub == h {
		c.resend(i) // already shown: no new burst
		return
	}
	c.release(i)
	actual := catalog.Main
	if h != cam.MainHub {
		actual = catalog.Sub
	}
	c.tiles[i] = assignment{hub: h, stream: stream, audio: cam.Audio(), view: View{
		User: c.currentUser().Name, Remote: c.remote, Tile: i,
		Camera: cam.ID, Quality: string(actual), Started: time.Now(),
	}}
	c.s.onViewStart(c.tiles[i].view)
	if c.session != nil {
		c.attach(i)
		return
	}
	c.setShown(i, cam.ID, false)
	c.report(i, TileMsg{State: string(webrtc.FeedWaiting)})
}

// attach feeds tile i of the current session from its assigned hub.
func (c *conn) attach(i int) {
	f := c.session.Feed(i)
	if f == nil {
		c.setShown(i, c.tiles[i].view.Camera, false)
		c.report(i, TileMsg{State: string(webrtc.FeedOffline), Reason: "no_transceiver"})
		return
	}
	// Stop the previous camera first: once Attach(nil) returns its pump has
	// ended, so no late event of it can be reported as the new camera's.
	f.Attach(nil)
	c.setShown(i, c.tiles[i].view.Camera, true)
	f.AttachStream(c.tiles[i].stream)
	if i == c.audioTile {
		c.attachAudio()
	}
}

// release stops whatever tile i shows and ends its view.
func (c *conn) release(i int) {
	if c.tiles[i].hub == nil {
		return
	}
	if c.session != nil {
		if f := c.session.Feed(i); f != nil {
			f.Attach(nil)
		}
	}
	c.stopPlay(i)
	c.s.onViewEnd(c.tiles[i].view)
	c.tiles[i] = assignment{}
	c.setShown(i, "", false)
	if i == c.audioTile {
		c.attachAudio()
	}
}

// deny reports a camera the user may not see exactly like an unknown one.
func (c *conn) deny(i int, id string) {
	c.setShown(i, id, false)
	c.report(i, TileMsg{State: TileDenied})
}

// refuseUnaudited releases tile i and reports it offline: the audit trail
// cannot record the view, and a view it cannot record is not shown.
func (c *conn) refuseUnaudited(i int, id string, err error) {
	c.s.log.Error("tile refused: the audit trail is unavailable", "user", c.currentUser().Name, "camera", id, "err", err)
	c.release(i)
	c.setShown(i, id, false)
	c.report(i, TileMsg{State: string(webrtc.FeedOffline), Reason: ReasonAuditUnavailable})
}

func (c *conn) setShown(i int, camera string, attached bool) {
	v := tileView{camera: camera, attached: attached, native: c.tiles[i].hub}
	switch {
	case c.plays[i] != nil:
		v.mode = ModePlayback
	case camera != "" && c.tiles[i].hub != nil:
		v.mode = ModeLive
	}
	if a := c.tiles[i].audio; a != nil {
		v.sound = a.Native
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shown[i] = v
}

// report sends tile i's state as decided by the loop.
func (c *conn) report(i int, m TileMsg) {
	c.mu.Lock()
	m.Type, m.Tile, m.Camera = "tile", i, c.shown[i].camera
	c.shown[i].last = m
	c.mu.Unlock()
	c.send(m)
}

// resend repeats tile i's last state, for a console that asks again.
func (c *conn) resend(i int) {
	c.mu.Lock()
	m := c.shown[i].last
	c.mu.Unlock()
	if m.Type != "" {
		c.send(m)
	}
}

// onFeed reports a feed's state change. It runs on the feed's goroutine.
func (c *conn) onFeed(i int, e webrtc.FeedEvent) {
	if i < 0 || i >= Tiles {
		return
	}
	c.mu.Lock()
	t := &c.shown[i]
	if !t.attached {
		c.mu.Unlock()
		return
	}
	m := TileMsg{Type: "tile", Tile: i, Camera: t.camera, State: string(e.State), Reason: e.Reason, Audio: t.hasAudio(),
		Mode: t.mode}
	if e.State == webrtc.FeedPlaying || e.State == webrtc.FeedOffline {
		m.Width, m.Height = e.Track.Width, e.Track.Height
	}
	if e.State == webrtc.FeedPlaying {
		m.Codec, m.Sent, m.Transcoded = string(e.Track.Codec), string(e.Sent), e.Transcoded
		if e.Transcoded {
			m.Codec = string(t.nativeCodec())
		}
	}
	if m == t.last {
		c.mu.Unlock()
		return
	}
	t.last = m
	c.mu.Unlock()
	c.send(m)
}
