package signal

import (
	"errors"
	"slices"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/catalog"
	"vigil/streams/playback"
	"vigil/streams/webrtc"
)

// playTolerance is how far before a recording's start a play still
// counts as "at" it (segments start at keyframes).
const playTolerance = 2 * time.Second

// tilePlay is a tile playing a recording (owned by the loop).
type tilePlay struct {
	player *playback.Player
	camera string
	stop   func() // ends the player and its transcode
}

func (c *conn) handlePlayback(m ClientMessage) {
	i := m.Tile
	switch m.Type {
	case TypePlay:
		if m.Camera == "" {
			c.resume(i, m.Speed)
			return
		}
		c.play(i, m.Camera, m.Start, m.Speed)
	case TypePause, TypeStep:
		p := c.plays[i]
		if p == nil {
			c.resend(i) // nothing to pause: the tile says what it shows
			return
		}
		if m.Type == TypePause {
			p.player.Clock().Pause()
		} else {
			p.player.Step()
		}
		c.reportClock(p.player.Clock())
	case TypeLive:
		if p := c.plays[i]; p != nil {
			c.assign(i, p.camera, string(catalog.Main)) // same feed, same track: no handshake
			return
		}
		c.resend(i)
	case TypeLink:
		c.link(m.List)
	}
}

// play starts (or moves) tile i's playback of camera at start; the tiles
// linked to it play the same moment of their own cameras.
func (c *conn) play(i int, camera string, start time.Time, speed float64) {
	if speed == 0 {
		speed = 1
	}
	cam, ok := c.visibleCamera(camera)
	if !ok {
		c.release(i)
		c.deny(i, camera)
		return
	}
	if err := audit.Healthy(c.s.opts.Audit); err != nil {
		c.refuseUnaudited(i, cam.ID, err)
		return
	}
	if err := c.checkPlay(cam.ID, start); err != nil {
		c.refusePlay(i, cam.ID, err)
		return
	}
	clock := c.linkedClock(i)
	if p := c.plays[i]; clock == nil && p != nil && p.camera == cam.ID && !c.clockShared(p.player.Clock(), i) {
		clock = p.player.Clock() // a seek of the tile's own playback
	}
	if clock == nil {
		clock, _ = playback.NewClock(start, speed) // speed was checked when decoded
	} else {
		clock.Seek(start)
		_ = clock.SetSpeed(speed)
		clock.Resume()
	}
	if p := c.plays[i]; p == nil || p.camera != cam.ID || p.player.Clock() != clock {
		c.startPlay(i, cam, start, clock)
	}
	for _, j := range c.linked {
		if j == i || !slices.Contains(c.linked, i) || c.tiles[j].hub == nil {
			continue
		}
		if p := c.plays[j]; p == nil || p.player.Clock() != clock {
			if other, ok := c.visibleCamera(c.tiles[j].view.Camera); ok && c.checkPlay(other.ID, start) == nil {
				c.startPlay(j, other, start, clock)
			}
		}
	}
	c.reportClock(clock)
}

func (c *conn) checkPlay(camera string, t time.Time) error {
	if c.s.opts.Recordings == nil {
		return &playback.NoRecordingError{At: t}
	}
	return playback.Check(c.s.opts.Recordings, camera, t, playTolerance)
}

// refusePlay answers a play that cannot start; the tile keeps what it shows.
func (c *conn) refusePlay(i int, camera string, err error) {
	var nr *playback.NoRecordingError
	if !errors.As(err, &nr) {
		c.reject("play: start is in the future")
		return
	}
	m := TileMsg{Type: "tile", Tile: i, Camera: camera, State: TileNoRecording, Mode: ModePlayback}
	if !nr.Nearest.IsZero() {
		m.Nearest = nr.Nearest.UTC().Format(time.RFC3339Nano)
	}
	c.send(m)
}

// startPlay makes tile i show a player of cam driven by clock, on the
// tile's transceiver like any camera switch.
func (c *conn) startPlay(i int, cam *catalog.Camera, start time.Time, clock *playback.Clock) {
	pl, err := playback.New(playback.Options{Store: c.s.opts.Recordings, Camera: cam.ID, Start: start, Clock: clock,
		Logger: c.log, OnChange: func(playback.Status) {
			select {
			case c.playChanged <- i:
			default:
			}
		}})
	if err != nil {
		c.refusePlay(i, cam.ID, err)
		return
	}
	c.release(i)
	video, sound, closeTranscodes := cam.Playback(pl.Hub(), pl.AudioHub())
	c.tiles[i] = assignment{hub: pl.Hub(), stream: video, audio: sound, view: View{
		User: c.currentUser().Name, Remote: c.remote, Tile: i, Camera: cam.ID, Quality: string(catalog.Main),
		Started: time.Now(), Playback: start,
	}}
	c.plays[i] = &tilePlay{player: pl, camera: cam.ID, stop: func() { pl.Close(); closeTranscodes() }}
	c.s.onViewStart(c.tiles[i].view)
	if c.session != nil {
		c.attach(i)
		return
	}
	c.setShown(i, cam.ID, false)
	c.report(i, TileMsg{State: string(webrtc.FeedWaiting)})
}

// stopPlay ends tile i's player, if any; the caller detached its feed.
func (c *conn) stopPlay(i int) {
	if p := c.plays[i]; p != nil {
		c.plays[i] = nil
		p.stop()
	}
}

func (c *conn) resume(i int, speed float64) {
	p := c.plays[i]
	if p == nil {
		c.reject("play: the tile is not playing a recording (give camera and start)")
		return
	}
	if speed != 0 {
		_ = p.player.Clock().SetSpeed(speed)
	}
	p.player.Clock().Resume()
	c.reportClock(p.player.Clock())
}

// link makes tiles play one moment: those already playing follow the
// clock of the first of them that plays.
func (c *conn) link(tiles []int) {
	slices.Sort(tiles)
	c.linked = slices.Compact(tiles)
	clock := c.linkedClock(-1)
	if clock == nil {
		return
	}
	at := clock.Now()
	for _, j := range c.linked {
		if p := c.plays[j]; p != nil && p.player.Clock() != clock {
			if cam, ok := c.visibleCamera(p.camera); ok && c.checkPlay(cam.ID, at) == nil {
				c.startPlay(j, cam, at, clock)
			}
		}
	}
	c.reportClock(clock)
}

// linkedClock returns the clock of the first linked tile that plays, when
// tile i is linked (i < 0: any).
func (c *conn) linkedClock(i int) *playback.Clock {
	if i >= 0 && !slices.Contains(c.linked, i) {
		return nil
	}
	for _, j := range c.linked {
		if p := c.plays[j]; p != nil {
			return p.player.Clock()
		}
	}
	return nil
}

// clockShared reports whether a tile other than i plays by clock.
func (c *conn) clockShared(clock *playback.Clock, i int) bool {
	for j, p := range c.plays {
		if j != i && p != nil && p.player.Clock() == clock {
			return true
		}
	}
	return false
}

// reportClock reports every tile driven by clock, one after the other.
func (c *conn) reportClock(clock *playback.Clock) {
	for i, p := range c.plays {
		if p != nil && p.player.Clock() == clock {
			c.reportPlay(i)
		}
	}
}

// reportPlays reports every playing tile's time (once a second).
func (c *conn) reportPlays() {
	for i, p := range c.plays {
		if p != nil {
			c.reportPlay(i)
		}
	}
}

// reportPlay sends tile i's last state with its playback fields.
func (c *conn) reportPlay(i int) {
	p := c.plays[i]
	if p == nil {
		return
	}
	st := p.player.Status()
	c.mu.Lock()
	m := c.shown[i].last
	c.mu.Unlock()
	if m.Type == "" {
		m.State = string(webrtc.FeedWaiting)
	}
	m.Mode, m.Speed, m.Paused, m.Edge, m.Ended, m.Time = ModePlayback, st.Speed, st.Paused, st.Edge, st.Ended, ""
	if !st.Time.IsZero() {
		m.Time = st.Time.UTC().Format(time.RFC3339Nano)
	}
	c.report(i, m)
}
