package ptz

import (
	"context"
	"time"

	"vigil/gateway/audit"
)

// expired ends a session whose holder stopped commanding.
func (c *Controller) expired(cam *camera) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || cam.hold == nil {
		return
	}
	now := time.Now()
	if left := cam.hold.until.Sub(now); left > 0 {
		cam.expire.Reset(left)
		return
	}
	c.endLocked(cam, "expired", now)
}

// endLocked writes the session's audit entry and frees the dome; callers
// hold mu.
func (c *Controller) endLocked(cam *camera, reason string, now time.Time) {
	h := cam.hold
	if h == nil {
		return
	}
	cam.hold = nil
	cam.gen++
	if cam.stop != nil {
		cam.stop.Stop()
	}
	if c.o.Audit == nil {
		return
	}
	detail := map[string]any{
		"start": h.start.UTC().Format(time.RFC3339), "end": now.UTC().Format(time.RFC3339),
		"commands": h.commands, "ended": reason,
	}
	for what, tokens := range h.presets {
		detail["presets_"+what] = tokens
	}
	c.o.Audit.Record(context.Background(), audit.Entry{Time: now, User: h.user.Name, Action: ActionSession, Camera: cam.id, Detail: detail})
}

// Release ends the sessions of a console connection that went away and
// stops the domes it was moving: a dropped connection never leaves a dome
// spinning.
func (c *Controller) Release(consoleSession string) {
	if consoleSession == "" {
		return
	}
	c.mu.Lock()
	var halt []*camera
	var devs []Device
	now := time.Now()
	for _, cam := range c.cams {
		if h := cam.hold; h != nil && h.user.Session == consoleSession {
			if h.moving {
				halt, devs = append(halt, cam), append(devs, h.dev)
			}
			c.endLocked(cam, "disconnected", now)
		}
	}
	c.mu.Unlock()
	c.haltAll(halt, devs)
}

func (c *Controller) haltAll(cams []*camera, devs []Device) {
	for i, cam := range cams {
		_ = c.call(context.Background(), cam, devs[i].Halt)
	}
}

// Close ends every session (audited), stops the domes still moving and
// waits for pending auto-stops.
func (c *Controller) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	var halt []*camera
	var devs []Device
	now := time.Now()
	for _, cam := range c.cams {
		if h := cam.hold; h != nil && h.moving {
			halt, devs = append(halt, cam), append(devs, h.dev)
		}
		c.endLocked(cam, "shutdown", now)
		if cam.expire != nil {
			cam.expire.Stop()
		}
	}
	c.mu.Unlock()
	c.haltAll(halt, devs)
	c.wg.Wait()
}
