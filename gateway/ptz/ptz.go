// Package ptz is the gateway's control of PTZ domes, shared by the HTTP
// API and the console WebSocket: velocity checks, a per-camera rate
// limit, the priority lock (the last mover holds the dome for Hold; a
// higher role takes it over, a lower or equal one is refused with the
// holder), a stop of every move that is not repeated within AutoStop, a
// stop when the controlling console goes away, and one audit entry per
// session of control.
package ptz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"vigil/gateway/audit"
	"vigil/gateway/auth"
	"vigil/streams/onvif"
)

// Device is one dome; *onvif.Device is one.
type Device interface {
	Move(ctx context.Context, v onvif.Vector, timeout time.Duration) error
	Halt(ctx context.Context) error
	ListPresets(ctx context.Context) ([]onvif.Preset, error)
	Goto(ctx context.Context, token string) error
	SavePreset(ctx context.Context, name string) (string, error)
	DeletePreset(ctx context.Context, token string) error
}

// Devices finds a camera's dome.
type Devices interface {
	// Device returns camera's dome, ErrNoPTZ when it has none.
	Device(ctx context.Context, camera string) (Device, error)
}

// Errors of the controller.
var (
	ErrNoPTZ       = errors.New("this camera has no PTZ")
	ErrRange       = errors.New("pan, tilt and zoom must be numbers from -1 to 1")
	ErrRateLimited = errors.New("too many PTZ commands for this camera; slow down")
	ErrClosed      = errors.New("PTZ control is shutting down")
	ErrPresetName  = errors.New("a preset needs a name of 1 to 64 characters")
)

// DeviceError is a dome that failed a command.
type DeviceError struct{ Err error }

func (e *DeviceError) Error() string { return "the camera's PTZ failed: " + e.Err.Error() }
func (e *DeviceError) Unwrap() error { return e.Err }

// Holder is who controls a dome, until when.
type Holder struct {
	User  string    `json:"user"`
	Role  auth.Role `json:"role"`
	Until time.Time `json:"until"`
}

// LockedError is a command refused because someone of the same or a
// higher role holds the dome.
type LockedError struct{ Holder Holder }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s (%s) controls this camera until %s", e.Holder.User, e.Holder.Role, e.Holder.Until.Format(time.TimeOnly))
}

// User is who sends a command, and over which channel: Session names the
// console connection ("" for HTTP), so its going away stops the dome.
type User struct {
	Name    string
	Role    auth.Role
	Session string
}

// Options configure a Controller; zero values take the defaults.
type Options struct {
	Devices  Devices
	Audit    audit.Recorder // nil: no audit
	Hold     time.Duration  // how long the last mover holds a dome; default 30 s
	AutoStop time.Duration  // a move not repeated within it is stopped; default 1 s
	Rate     float64        // commands per second per camera; default 10
	Burst    float64        // default 20
	// CallTimeout bounds each command to a dome; default 5 s.
	CallTimeout time.Duration
	Logger      *slog.Logger
}

// ActionSession is the audit action of one session of PTZ control.
const ActionSession = "ptz.session"

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.Hold, 30*time.Second)
	set(&o.AutoStop, time.Second)
	set(&o.CallTimeout, 5*time.Second)
	if o.Rate <= 0 {
		o.Rate = 10
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// checkVector refuses velocities outside −1…1 (and NaN).
func checkVector(v onvif.Vector) error {
	for _, f := range []float64{v.Pan, v.Tilt, v.Zoom} {
		if math.IsNaN(f) || f < -1 || f > 1 {
			return ErrRange
		}
	}
	return nil
}

// Controller serializes the commands to every dome.
type Controller struct {
	o      Options
	mu     sync.Mutex
	cams   map[string]*camera
	closed bool
	wg     sync.WaitGroup // timer callbacks at work
}

// New makes a controller; Close ends its sessions and stops moving domes.
func New(o Options) *Controller {
	o.defaults()
	return &Controller{o: o, cams: make(map[string]*camera)}
}
