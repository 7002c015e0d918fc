package signal

import (
	"context"
	"errors"
	"time"

	pion "github.com/pion/webrtc/v4"

	"vigil/gateway/auth"
	"vigil/gateway/authz"
	"vigil/gateway/store"
	"vigil/streams/webrtc"
)

// loop owns the connection's state: every client message, session end,
// wall change and session re-check is handled here, one at a time.
func (c *conn) loop() {
	defer c.cleanup()
	recheck := time.NewTicker(c.s.opts.Recheck)
	defer recheck.Stop()
	playTick := time.NewTicker(time.Second) // playing tiles report their time
	defer playTick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.in:
			c.handle(m)
		case <-c.sessionClosed:
			c.dropEndedSession()
		case w := <-c.wallCh:
			c.sendLayout(w)
		case <-recheck.C:
			c.recheck()
		case <-c.recheckNow:
			c.recheck()
		case i := <-c.playChanged:
			c.reportPlay(i)
		case <-playTick.C:
			c.reportPlays()
		case <-c.tourTimer.C:
			c.stepTours()
		}
	}
}

func (c *conn) handle(m ClientMessage) {
	switch m.Type {
	case TypeOffer:
		c.offer(m.SDP)
	case TypeCandidate:
		c.candidate(m.Candidate)
	case TypeAssign:
		c.assign(m.Tile, m.Camera, m.Quality)
	case TypeClear:
		c.release(m.Tile)
		c.report(m.Tile, TileMsg{State: TileIdle})
	case TypeFollow:
		c.follow(m.Wall)
	case TypeAudio:
		c.listen(m.Tile)
	case TypeMute:
		c.listen(noAudio)
	case TypePlay, TypePause, TypeStep, TypeLive, TypeLink:
		c.handlePlayback(m)
	case TypePTZ:
		c.ptz(m.Camera, m.PTZ)
	case TypeTour:
		c.startTour(m)
	case TypeTourPause:
		c.pauseTour(m)
	}
}

// cleanup releases everything the connection holds: the peer connection
// (and with it every hub reader), the views and the wall subscription.
func (c *conn) cleanup() {
	if c.session != nil {
		c.session.Close()
		c.session = nil
	}
	for i := range c.tiles {
		c.stopPlay(i)
		if c.tiles[i].hub != nil {
			c.s.onViewEnd(c.tiles[i].view)
			c.tiles[i] = assignment{}
		}
	}
	c.stopFollowing()
	c.tourTimer.Stop()
}

// offer answers a (new) peer connection. A console restarting its peer
// connection offers again: the old one is closed and every assigned tile
// is attached to the new one.
func (c *conn) offer(sdp string) {
	if c.session != nil {
		c.session.Close()
		c.session = nil
	}
	sess, answer, err := c.s.opts.WebRTC.NewSession(c.ctx, webrtc.SessionOptions{
		Offer: sdp, OnFeed: c.onFeed, OnAudio: c.onAudio, OnClose: c.onSessionClose,
	})
	if errors.Is(err, webrtc.ErrBadOffer) {
		c.reject(err.Error())
		return
	}
	if err != nil {
		if c.ctx.Err() == nil {
			c.log.Error("console peer connection", "err", err)
			c.send(errorMsg{Type: "error", Message: "could not start the peer connection"})
		}
		return
	}
	c.session = sess
	c.send(answerMsg{Type: "answer", SDP: answer})
	for i := range c.tiles {
		if c.tiles[i].hub != nil {
			c.attach(i)
		}
	}
	c.attachAudio()
}

// onSessionClose runs when a peer connection ends, possibly on pion's
// goroutine or inside the loop's own Close call: it only signals.
func (c *conn) onSessionClose() {
	select {
	case c.sessionClosed <- struct{}{}:
	default:
	}
}

// dropEndedSession forgets a peer connection that failed or was closed by
// the browser; the tiles keep their cameras for the next offer.
func (c *conn) dropEndedSession() {
	if c.session == nil {
		return
	}
	select {
	case <-c.session.Done():
		c.session = nil
	default:
	}
}

func (c *conn) candidate(cand pion.ICECandidateInit) {
	if c.session == nil {
		return // sent before the offer or after a failed one: nothing to add it to
	}
	if err := c.session.AddCandidate(cand); err != nil {
		c.reject("candidate: " + err.Error())
	}
}

// recheck re-validates the session: a console must not outlive its
// login. A changed user (stations, role) takes effect at once.
func (c *conn) recheck() {
	ctx, cancel := context.WithTimeout(c.ctx, recheckLimit)
	u, err := c.s.opts.Users.Authenticate(ctx, c.token)
	cancel()
	switch {
	case errors.Is(err, auth.ErrUnauthenticated):
		c.fail(CloseSessionEnded, "session ended")
		return
	case err != nil:
		c.log.Warn("console: cannot re-check the session", "err", err)
		return
	case !authz.Allowed(u, authz.ActionView):
		c.fail(CloseSessionEnded, "role no longer allows viewing")
		return
	}
	c.mu.Lock()
	c.user = u
	c.mu.Unlock()
	for i := range c.tiles {
		if c.tiles[i].hub == nil {
			continue
		}
		if _, ok := c.visibleCamera(c.tiles[i].view.Camera); !ok {
			cam := c.tiles[i].view.Camera
			c.release(i)
			c.deny(i, cam)
		}
	}
	if c.wall != "" && !c.s.opts.Walls.Visible(u, c.wall) {
		c.stopFollowing()
		c.reject("no such wall")
	}
}

func (c *conn) follow(wall string) {
	c.stopFollowing()
	if wall == "" {
		return
	}
	if !c.s.opts.Walls.Visible(c.currentUser(), wall) {
		c.reject("no such wall") // one of other stations: as if it did not exist
		return
	}
	// Subscribe before reading, so that no change slips in between.
	ch, cancel := c.s.opts.Walls.Subscribe(wall)
	w, err := c.s.opts.Walls.Get(c.ctx, wall)
	if err != nil {
		cancel()
		if errors.Is(err, ErrNoWall) {
			c.reject("no such wall")
			return
		}
		c.log.Error("console: read wall", "wall", wall, "err", err)
		c.send(errorMsg{Type: "error", Message: "could not read the wall"})
		return
	}
	c.wall, c.wallCh, c.unfollow = wall, ch, cancel
	c.sendLayout(w)
}

func (c *conn) stopFollowing() {
	if c.unfollow != nil {
		c.unfollow()
	}
	c.wall, c.wallCh, c.unfollow = "", nil, nil
}

// sendLayout tells the console what a followed wall shows, with the
// cameras the user may not see blanked out.
func (c *conn) sendLayout(w store.Wall) {
	cams := make([]string, len(w.Layout.Cameras))
	for i, id := range w.Layout.Cameras {
		if _, ok := c.visibleCamera(id); ok {
			cams[i] = id
		}
	}
	c.send(LayoutMsg{Type: "layout", Wall: w.ID, Layout: WallLayout{Grid: w.Layout.Grid, Cameras: cams},
		UpdatedBy: w.UpdatedBy, UpdatedAt: rfc3339(w.UpdatedAt)})
}
