package onvif

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// ErrNoPTZ is returned by a Device's PTZ calls when it has no PTZ service
// or no profile with a PTZ configuration.
var ErrNoPTZ = errors.New("onvif: the device has no PTZ")

// Device is a connected device: its clock offset learned, its services and
// profiles known.
type Device struct {
	*Client
	Services Services
	Profiles []Profile
	Main     Profile // main stream's profile
	Sub      Profile // sub stream's profile; Token "" when there is none
	ptz      string  // profile token PTZ calls use; "" = no PTZ
}

// Connect reads the device's clock, its service addresses and profiles.
func Connect(ctx context.Context, o Options) (*Device, error) {
	c, err := NewClient(o)
	if err != nil {
		return nil, err
	}
	if err := c.SyncClock(ctx); err != nil {
		return nil, err
	}
	d := &Device{Client: c}
	if d.Services, err = c.Capabilities(ctx); err != nil || d.Services.Media == "" {
		// Newer devices may drop GetCapabilities; GetServices replaces it.
		s, err2 := c.Services(ctx)
		if err2 != nil {
			return nil, errors.Join(err, err2)
		}
		d.Services = s
	}
	if d.Services.Media == "" {
		return nil, fmt.Errorf("onvif: the device offers no media service")
	}
	d.Services = d.Services.rebased(o.URL)
	if d.Profiles, err = c.Profiles(ctx, d.Services.Media); err != nil {
		return nil, err
	}
	d.Main, d.Sub = MainAndSub(d.Profiles)
	if d.Services.PTZ != "" {
		for _, p := range d.Profiles {
			if p.PTZ {
				d.ptz = p.Token
				break
			}
		}
	}
	return d, nil
}

// rebased points every service at the host and port the device was reached
// at: devices behind NAT or port forwarding announce their own LAN
// address, which the gateway may not reach.
func (s Services) rebased(deviceURL string) Services {
	base, err := url.Parse(deviceURL)
	if err != nil {
		return s
	}
	fix := func(addr string) string {
		u, err := url.Parse(addr)
		if err != nil || addr == "" {
			return addr
		}
		u.Scheme, u.Host, u.User = base.Scheme, base.Host, nil
		return u.String()
	}
	return Services{Device: fix(s.Device), Media: fix(s.Media), PTZ: fix(s.PTZ)}
}

// HasPTZ tells whether the device can be moved.
func (d *Device) HasPTZ() bool { return d.ptz != "" }

// StreamURIs asks the main and sub stream URIs (sub "" when the device has
// one profile only).
func (d *Device) StreamURIs(ctx context.Context) (main, sub string, err error) {
	if main, err = d.StreamURI(ctx, d.Services.Media, d.Main.Token); err != nil {
		return "", "", err
	}
	if d.Sub.Token != "" {
		if sub, err = d.StreamURI(ctx, d.Services.Media, d.Sub.Token); err != nil {
			return "", "", err
		}
	}
	return main, sub, nil
}

// Snapshot asks the main profile's snapshot URI.
func (d *Device) Snapshot(ctx context.Context) (string, error) {
	return d.SnapshotURI(ctx, d.Services.Media, d.Main.Token)
}

// Move starts a continuous move; timeout as in ContinuousMove.
func (d *Device) Move(ctx context.Context, v Vector, timeout time.Duration) error {
	if !d.HasPTZ() {
		return ErrNoPTZ
	}
	return d.ContinuousMove(ctx, d.Services.PTZ, d.ptz, v, timeout)
}

// Halt stops the dome.
func (d *Device) Halt(ctx context.Context) error {
	if !d.HasPTZ() {
		return ErrNoPTZ
	}
	return d.Stop(ctx, d.Services.PTZ, d.ptz)
}

// Nudge moves by a translation.
func (d *Device) Nudge(ctx context.Context, t Vector) error {
	if !d.HasPTZ() {
		return ErrNoPTZ
	}
	return d.RelativeMove(ctx, d.Services.PTZ, d.ptz, t)
}

// ListPresets lists the presets.
func (d *Device) ListPresets(ctx context.Context) ([]Preset, error) {
	if !d.HasPTZ() {
		return nil, ErrNoPTZ
	}
	return d.Presets(ctx, d.Services.PTZ, d.ptz)
}

// Goto moves to a preset.
func (d *Device) Goto(ctx context.Context, token string) error {
	if !d.HasPTZ() {
		return ErrNoPTZ
	}
	return d.GotoPreset(ctx, d.Services.PTZ, d.ptz, token)
}

// SavePreset stores the current position under name.
func (d *Device) SavePreset(ctx context.Context, name string) (string, error) {
	if !d.HasPTZ() {
		return "", ErrNoPTZ
	}
	return d.SetPreset(ctx, d.Services.PTZ, d.ptz, name)
}

// DeletePreset removes a preset.
func (d *Device) DeletePreset(ctx context.Context, token string) error {
	if !d.HasPTZ() {
		return ErrNoPTZ
	}
	return d.RemovePreset(ctx, d.Services.PTZ, d.ptz, token)
}

// PTZStatus asks the position.
func (d *Device) PTZStatus(ctx context.Context) (Status, error) {
	if !d.HasPTZ() {
		return Status{}, ErrNoPTZ
	}
	return d.Status(ctx, d.Services.PTZ, d.ptz)
}
