package signal

import (
	"context"
	"errors"
	"fmt"

	"vigil/gateway/authz"
	"vigil/gateway/ptz"
	"vigil/internal/ids"
	"vigil/streams/onvif"
)

// PTZControl is the gateway's dome control (gateway/ptz).
type PTZControl interface {
	Move(ctx context.Context, u ptz.User, camera string, v onvif.Vector) error
	Stop(ctx context.Context, u ptz.User, camera string) error
	Goto(ctx context.Context, u ptz.User, camera, token string) error
	SavePreset(ctx context.Context, u ptz.User, camera, name string) (string, error)
	DeletePreset(ctx context.Context, u ptz.User, camera, token string) error
	// Release ends a console's control and stops the domes it moves.
	Release(session string)
}

// TypePTZ is a PTZ command (PROTOCOL.md "PTZ").
const TypePTZ = "ptz"

// PTZ operations.
const (
	PTZMove   = "move"
	PTZStop   = "stop"
	PTZGoto   = "goto"
	PTZSave   = "save"
	PTZDelete = "delete"
)

// PTZCommand is a ptz message's command.
type PTZCommand struct {
	Op              string
	Pan, Tilt, Zoom float64
	Preset          string // goto, delete
	Name            string // save
}

// PTZMsg answers a ptz message: ok (with the saved preset's token), or an
// error with its code and, for "locked", who holds the dome.
type PTZMsg struct {
	Type   string      `json:"type"`
	Camera string      `json:"camera"`
	Op     string      `json:"op"`
	OK     bool        `json:"ok"`
	Token  string      `json:"token,omitempty"`
	Code   string      `json:"code,omitempty"`
	Error  string      `json:"error,omitempty"`
	Holder *ptz.Holder `json:"holder,omitempty"`
}

// ptzQueue bounds the commands waiting for a slow dome; more are refused
// as too fast.
const ptzQueue = 8

type ptzJob struct {
	camera string
	cmd    PTZCommand
}

func (w wireClient) ptzCommand() (string, PTZCommand, error) {
	if w.Camera == nil || !ids.Valid(*w.Camera) {
		return "", PTZCommand{}, errors.New("ptz: camera must be a camera id")
	}
	var cmd PTZCommand
	if w.Op != nil {
		cmd.Op = *w.Op
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	num := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	cmd.Pan, cmd.Tilt, cmd.Zoom, cmd.Preset, cmd.Name = num(w.Pan), num(w.Tilt), num(w.Zoom), str(w.Preset), str(w.Name)
	var err error
	switch cmd.Op {
	case PTZMove:
		err = w.only("camera", "op", "pan", "tilt", "zoom")
	case PTZStop:
		err = w.only("camera", "op")
	case PTZGoto, PTZDelete:
		err = w.only("camera", "op", "preset")
		if err == nil && (cmd.Preset == "" || len(cmd.Preset) > 64) {
			err = fmt.Errorf("ptz %s: preset must be a preset token", cmd.Op)
		}
	case PTZSave:
		err = w.only("camera", "op", "name")
	default:
		err = errors.New("ptz: op must be move, stop, goto, save or delete")
	}
	return *w.Camera, cmd, err
}

// ptz checks a command in the loop (the camera must be visible, the role
// allowed) and queues it for the PTZ worker: a dome's slow answer never
// holds the console's other messages.
func (c *conn) ptz(camera string, cmd PTZCommand) {
	reply := PTZMsg{Type: TypePTZ, Camera: camera, Op: cmd.Op}
	switch {
	case c.s.opts.PTZ == nil:
		reply.Code, reply.Error = "no_ptz", ptz.ErrNoPTZ.Error()
	case !authz.Allowed(c.currentUser(), authz.ActionControlPTZ):
		reply.Code, reply.Error = "forbidden", authz.ErrRole.Error()
	default:
		if _, ok := c.visibleCamera(camera); !ok {
			reply.Code, reply.Error = "not_found", "no such camera"
			break
		}
		select {
		case c.ptzJobs <- ptzJob{camera, cmd}:
			return
		default:
			reply.Code, reply.Error = "rate", ptz.ErrRateLimited.Error()
		}
	}
	c.send(reply)
}

// ptzWorker sends the queued commands to the domes one at a time; when
// the connection ends it releases the domes the console controls.
func (c *conn) ptzWorker() {
	defer c.s.opts.PTZ.Release(c.ptzSession)
	for {
		select {
		case <-c.ctx.Done():
			return
		case j := <-c.ptzJobs:
			c.send(c.runPTZ(j))
		}
	}
}

func (c *conn) runPTZ(j ptzJob) PTZMsg {
	u := c.currentUser()
	pu := ptz.User{Name: u.Name, Role: u.Role, Session: c.ptzSession}
	ctl, cmd := c.s.opts.PTZ, j.cmd
	reply := PTZMsg{Type: TypePTZ, Camera: j.camera, Op: cmd.Op}
	var err error
	switch cmd.Op {
	case PTZMove:
		err = ctl.Move(c.ctx, pu, j.camera, onvif.Vector{Pan: cmd.Pan, Tilt: cmd.Tilt, Zoom: cmd.Zoom})
	case PTZStop:
		err = ctl.Stop(c.ctx, pu, j.camera)
	case PTZGoto:
		err = ctl.Goto(c.ctx, pu, j.camera, cmd.Preset)
	case PTZSave:
		reply.Token, err = ctl.SavePreset(c.ctx, pu, j.camera, cmd.Name)
	case PTZDelete:
		err = ctl.DeletePreset(c.ctx, pu, j.camera, cmd.Preset)
	}
	reply.OK = err == nil
	if err != nil {
		reply.Code, reply.Error, reply.Holder = ptzErrorCode(err)
	}
	return reply
}

// ptzErrorCode names a refusal for the console.
func ptzErrorCode(err error) (code, msg string, holder *ptz.Holder) {
	var locked *ptz.LockedError
	switch {
	case errors.As(err, &locked):
		return "locked", err.Error(), &locked.Holder
	case errors.Is(err, ptz.ErrRange), errors.Is(err, ptz.ErrPresetName):
		return "invalid", err.Error(), nil
	case errors.Is(err, ptz.ErrNoPTZ):
		return "no_ptz", err.Error(), nil
	case errors.Is(err, ptz.ErrRateLimited):
		return "rate", err.Error(), nil
	}
	return "device", err.Error(), nil
}
