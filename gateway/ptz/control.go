package ptz

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"vigil/internal/ratelimit"
	"vigil/streams/onvif"
)

// camera is one dome's control state; its fields belong to Controller.mu
// except calls, which orders the commands sent to the dome.
type camera struct {
	id     string
	bucket ratelimit.Bucket
	hold   *session // nil: nobody holds the dome
	gen    uint64   // bumped by every command: a pending auto-stop of an older move stands down
	stop   *time.Timer
	expire *time.Timer
	calls  chanMutex
}

// chanMutex is a mutex whose Lock gives up when ctx ends, so a command
// queued behind a hung dome fails with the request instead of piling up.
type chanMutex chan struct{}

func (m chanMutex) lock(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m chanMutex) unlock() { <-m }

// session is one user's control of a dome, audited as one entry.
type session struct {
	user     User
	dev      Device
	start    time.Time
	until    time.Time
	commands int
	moving   bool
	presets  map[string][]string // "goto", "saved", "deleted" → preset tokens
}

func (c *Controller) cam(id string) *camera {
	cam, ok := c.cams[id]
	if !ok {
		cam = &camera{id: id, bucket: ratelimit.Bucket{Rate: c.o.Rate, Burst: c.o.Burst}, calls: make(chanMutex, 1)}
		c.cams[id] = cam
	}
	return cam
}

// begin checks that u may command camera now and makes u its holder.
func (c *Controller) begin(ctx context.Context, u User, id string) (*camera, Device, error) {
	dev, err := c.o.Devices.Device(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNoPTZ) {
			return nil, nil, ErrNoPTZ
		}
		return nil, nil, &DeviceError{err}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, ErrClosed
	}
	cam := c.cam(id)
	now := time.Now()
	if h := cam.hold; h != nil && h.user.Name != u.Name {
		if now.Before(h.until) && !outranks(u, h.user) {
			return nil, nil, &LockedError{Holder{User: h.user.Name, Role: h.user.Role, Until: h.until}}
		}
		reason := "expired"
		if now.Before(h.until) {
			reason = "taken_over"
		}
		c.endLocked(cam, reason, now)
	}
	if !cam.bucket.Take(now) {
		return nil, nil, ErrRateLimited
	}
	if cam.hold == nil {
		cam.hold = &session{user: u, start: now, presets: map[string][]string{}}
	}
	h := cam.hold
	h.user, h.dev, h.until = u, dev, now.Add(c.o.Hold)
	h.commands++
	cam.gen++
	if cam.expire == nil {
		cam.expire = time.AfterFunc(c.o.Hold, func() { c.expired(cam) })
	} else {
		cam.expire.Reset(c.o.Hold)
	}
	return cam, dev, nil
}

func outranks(u, holder User) bool {
	return u.Role.AtLeast(holder.Role) && u.Role != holder.Role
}

// call sends one command to the dome, in order with the others.
func (c *Controller) call(ctx context.Context, cam *camera, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.o.CallTimeout)
	defer cancel()
	if err := cam.calls.lock(ctx); err != nil {
		return &DeviceError{err}
	}
	defer cam.calls.unlock()
	if err := f(ctx); err != nil {
		return &DeviceError{err}
	}
	return nil
}

// Move starts (or keeps up) a continuous move at velocity v; it stops by
// itself AutoStop after the last Move.
func (c *Controller) Move(ctx context.Context, u User, id string, v onvif.Vector) error {
	if err := checkVector(v); err != nil {
		return err
	}
	cam, dev, err := c.begin(ctx, u, id)
	if err != nil {
		return err
	}
	if err := c.call(ctx, cam, func(ctx context.Context) error { return dev.Move(ctx, v, c.o.AutoStop) }); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cam.hold != nil && !c.closed {
		cam.hold.moving = v != onvif.Vector{}
		gen := cam.gen
		if cam.stop != nil {
			cam.stop.Stop()
		}
		cam.stop = time.AfterFunc(c.o.AutoStop, func() { c.autoStop(cam, gen) })
	}
	return nil
}

// autoStop halts a move nobody repeated, unless a newer command came.
func (c *Controller) autoStop(cam *camera, gen uint64) {
	c.mu.Lock()
	if c.closed || cam.hold == nil || !cam.hold.moving || cam.gen != gen {
		c.mu.Unlock()
		return
	}
	dev := cam.hold.dev
	c.wg.Add(1)
	c.mu.Unlock()
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), c.o.CallTimeout)
	defer cancel()
	if cam.calls.lock(ctx) != nil {
		return
	}
	defer cam.calls.unlock()
	c.mu.Lock()
	still := cam.gen == gen && cam.hold != nil
	if still {
		cam.hold.moving = false
	}
	c.mu.Unlock()
	if still {
		if err := dev.Halt(ctx); err != nil {
			c.o.Logger.Warn("ptz: stopping a move nobody repeated failed", "camera", cam.id, "err", err)
		}
	}
}

// Stop stops the dome.
func (c *Controller) Stop(ctx context.Context, u User, id string) error {
	cam, dev, err := c.begin(ctx, u, id)
	if err != nil {
		return err
	}
	c.setMoving(cam, false)
	return c.call(ctx, cam, dev.Halt)
}

func (c *Controller) setMoving(cam *camera, moving bool) {
	c.mu.Lock()
	if cam.hold != nil {
		cam.hold.moving = moving
	}
	c.mu.Unlock()
}

// Goto moves the dome to a preset.
func (c *Controller) Goto(ctx context.Context, u User, id, token string) error {
	cam, dev, err := c.begin(ctx, u, id)
	if err != nil {
		return err
	}
	c.setMoving(cam, false)
	err = c.call(ctx, cam, func(ctx context.Context) error { return dev.Goto(ctx, token) })
	c.notePreset(cam, "goto", token, err)
	return err
}

// SavePreset stores the dome's position under name; it returns the token.
func (c *Controller) SavePreset(ctx context.Context, u User, id, name string) (string, error) {
	if n := utf8.RuneCountInString(name); n < 1 || n > 64 || !utf8.ValidString(name) {
		return "", ErrPresetName
	}
	cam, dev, err := c.begin(ctx, u, id)
	if err != nil {
		return "", err
	}
	var token string
	err = c.call(ctx, cam, func(ctx context.Context) (err error) {
		token, err = dev.SavePreset(ctx, name)
		return err
	})
	c.notePreset(cam, "saved", token, err)
	return token, err
}

// DeletePreset removes a preset.
func (c *Controller) DeletePreset(ctx context.Context, u User, id, token string) error {
	cam, dev, err := c.begin(ctx, u, id)
	if err != nil {
		return err
	}
	err = c.call(ctx, cam, func(ctx context.Context) error { return dev.DeletePreset(ctx, token) })
	c.notePreset(cam, "deleted", token, err)
	return err
}

func (c *Controller) notePreset(cam *camera, what, token string, err error) {
	if err != nil {
		return
	}
	c.mu.Lock()
	if cam.hold != nil {
		cam.hold.presets[what] = append(cam.hold.presets[what], token)
	}
	c.mu.Unlock()
}

// Presets lists a dome's presets (no lock needed to look).
func (c *Controller) Presets(ctx context.Context, id string) ([]onvif.Preset, error) {
	dev, err := c.o.Devices.Device(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNoPTZ) {
			return nil, ErrNoPTZ
		}
		return nil, &DeviceError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.CallTimeout)
	defer cancel()
	ps, err := dev.ListPresets(ctx)
	if err != nil {
		return nil, &DeviceError{err}
	}
	return ps, nil
}

// Holder tells who holds the dome now.
func (c *Controller) Holder(id string) (Holder, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cam, ok := c.cams[id]
	if !ok || cam.hold == nil || !time.Now().Before(cam.hold.until) {
		return Holder{}, false
	}
	h := cam.hold
	return Holder{User: h.user.Name, Role: h.user.Role, Until: h.until}, true
}
