package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"syscall"
	"time"

	"vigil/gateway/config"
	"vigil/gateway/ptz"
	"vigil/streams/onvif"
	"vigil/streams/rtsp"
)

// onvifCameras reaches the ONVIF devices of the cameras the config gives
// by onvif: {…}. A device is connected on first use (its clock, services
// and profiles learned) and kept; any failure forgets it, so the next
// attempt connects afresh (a device that rebooted or was replaced).
type onvifCameras struct {
	timeout time.Duration // per SOAP call
	cams    map[string]*onvifCamera
}

type onvifCamera struct {
	cfg config.ONVIF
	mu  sync.Mutex // one connect at a time
	dev *onvif.Device
}

func newONVIFCameras(cfg *config.Config, timeout time.Duration) *onvifCameras {
	o := &onvifCameras{timeout: timeout, cams: map[string]*onvifCamera{}}
	for _, st := range cfg.Stations {
		for _, c := range st.Cameras {
			if c.ONVIF != nil {
				o.cams[c.ID] = &onvifCamera{cfg: *c.ONVIF}
			}
		}
	}
	return o
}

func (o *onvifCameras) connect(ctx context.Context, id string) (*onvif.Device, error) {
	c, ok := o.cams[id]
	if !ok {
		return nil, ptz.ErrNoPTZ
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dev != nil {
		return c.dev, nil
	}
	d, err := onvif.Connect(ctx, onvif.Options{
		URL: c.cfg.DeviceURL(), Username: c.cfg.Username, Password: c.cfg.Password, Timeout: o.timeout,
	})
	if err != nil {
		return nil, err
	}
	c.dev = d
	return d, nil
}

func (o *onvifCameras) forget(id string) {
	if c, ok := o.cams[id]; ok {
		c.mu.Lock()
		c.dev = nil
		c.mu.Unlock()
	}
}

// Device is a camera's dome, for the PTZ controller.
func (o *onvifCameras) Device(ctx context.Context, id string) (ptz.Device, error) {
	d, err := o.connect(ctx, id)
	if err != nil {
		if !errors.Is(err, ptz.ErrNoPTZ) {
			o.forget(id)
		}
		return nil, err
	}
	if !d.HasPTZ() {
		return nil, ptz.ErrNoPTZ
	}
	return d, nil
}

// resolver returns the ResolveURL of a camera's main or sub stream: the
// URI the device gives, with the camera's credentials put in. A device
// with one profile gives its main stream for both.
func (o *onvifCameras) resolver(id string, sub bool) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		d, err := o.connect(ctx, id)
		if err == nil {
			var main, subURI string
			if main, subURI, err = d.StreamURIs(ctx); err == nil {
				uri := main
				if sub && subURI != "" {
					uri = subURI
				}
				return o.withCredentials(id, uri)
			}
		}
		o.forget(id)
		return "", deviceError(err)
	}
}

func (o *onvifCameras) withCredentials(id, uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "rtsp" && u.Scheme != "rtsps") {
		return "", fmt.Errorf("ONVIF device gave no RTSP stream URI")
	}
	if c := o.cams[id].cfg; c.Username != "" && u.User == nil {
		u.User = url.UserPassword(c.Username, c.Password)
	}
	return u.String(), nil
}

// deviceError maps an ONVIF failure onto the source's reasons, so the
// camera's state says "unauthorized", "timeout" or "unreachable" as for
// an RTSP failure, with what the device said as the detail.
func deviceError(err error) error {
	var f *onvif.Fault
	var ne net.Error
	switch {
	case errors.As(err, &f) && f.NotAuthorized():
		return fmt.Errorf("%w: ONVIF device: %v", rtsp.ErrUnauthorized, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: ONVIF device: %v", rtsp.ErrTimeout, err)
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%w: ONVIF device: %v", rtsp.ErrUnreachable, err)
	}
	return fmt.Errorf("ONVIF device: %w", err)
}
