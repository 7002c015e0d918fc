package onvif

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DeviceInfo is GetDeviceInformation's answer.
type DeviceInfo struct {
	Manufacturer    string `xml:"Manufacturer"`
	Model           string `xml:"Model"`
	FirmwareVersion string `xml:"FirmwareVersion"`
	SerialNumber    string `xml:"SerialNumber"`
	HardwareID      string `xml:"HardwareId"`
}

// Services are the service addresses a device gave (empty: not offered).
type Services struct {
	Device, Media, PTZ string
}

type dateTime struct {
	Date struct {
		Year  int `xml:"Year"`
		Month int `xml:"Month"`
		Day   int `xml:"Day"`
	} `xml:"Date"`
	Time struct {
		Hour   int `xml:"Hour"`
		Minute int `xml:"Minute"`
		Second int `xml:"Second"`
	} `xml:"Time"`
}

type systemDateAndTimeResponse struct {
	SystemDateAndTime struct {
		UTCDateTime *dateTime `xml:"UTCDateTime"`
	} `xml:"SystemDateAndTime"`
}

// SystemDateAndTime asks the device's UTC clock. It is sent unsigned: the
// spec lets it pass without credentials, and it is how a client learns the
// clock its tokens must match.
func (c *Client) SystemDateAndTime(ctx context.Context) (time.Time, error) {
	var r systemDateAndTimeResponse
	if err := c.callUnsigned(ctx, c.o.URL, "GetSystemDateAndTime", `<GetSystemDateAndTime xmlns="`+nsDevice+`"/>`, &r); err != nil {
		return time.Time{}, err
	}
	u := r.SystemDateAndTime.UTCDateTime
	if u == nil || u.Date.Year == 0 {
		return time.Time{}, fmt.Errorf("onvif: GetSystemDateAndTime: no UTCDateTime in the reply")
	}
	return time.Date(u.Date.Year, time.Month(u.Date.Month), u.Date.Day, u.Time.Hour, u.Time.Minute, u.Time.Second, 0, time.UTC), nil
}

// SyncClock sets the clock offset from the device's clock.
func (c *Client) SyncClock(ctx context.Context) error {
	before := time.Now()
	t, err := c.SystemDateAndTime(ctx)
	if err != nil {
		return err
	}
	// The device's second was read somewhere during the round trip.
	mid := before.Add(time.Since(before) / 2)
	c.SetClockOffset(t.Sub(mid).Truncate(time.Second))
	return nil
}

func (c *Client) callUnsigned(ctx context.Context, url, name, body string, out any) error {
	unsigned := &Client{o: c.o}
	unsigned.o.Username = ""
	return unsigned.call(ctx, url, name, body, out)
}

// DeviceInformation asks the device's maker, model and firmware.
func (c *Client) DeviceInformation(ctx context.Context) (DeviceInfo, error) {
	var r DeviceInfo
	err := c.call(ctx, c.o.URL, "GetDeviceInformation", `<GetDeviceInformation xmlns="`+nsDevice+`"/>`, &r)
	return r, err
}

type capabilitiesResponse struct {
	Capabilities struct {
		Device struct {
			XAddr string `xml:"XAddr"`
		} `xml:"Device"`
		Media struct {
			XAddr string `xml:"XAddr"`
		} `xml:"Media"`
		PTZ struct {
			XAddr string `xml:"XAddr"`
		} `xml:"PTZ"`
	} `xml:"Capabilities"`
}

// Capabilities asks the service addresses with GetCapabilities (every
// Profile S device has it).
func (c *Client) Capabilities(ctx context.Context) (Services, error) {
	var r capabilitiesResponse
	err := c.call(ctx, c.o.URL, "GetCapabilities",
		`<GetCapabilities xmlns="`+nsDevice+`"><Category>All</Category></GetCapabilities>`, &r)
	s := Services{
		Device: strings.TrimSpace(r.Capabilities.Device.XAddr),
		Media:  strings.TrimSpace(r.Capabilities.Media.XAddr),
		PTZ:    strings.TrimSpace(r.Capabilities.PTZ.XAddr),
	}
	return s, err
}

type servicesResponse struct {
	Service []struct {
		Namespace string `xml:"Namespace"`
		XAddr     string `xml:"XAddr"`
	} `xml:"Service"`
}

// Services asks the service addresses with GetServices (newer devices).
func (c *Client) Services(ctx context.Context) (Services, error) {
	var r servicesResponse
	err := c.call(ctx, c.o.URL, "GetServices",
		`<GetServices xmlns="`+nsDevice+`"><IncludeCapability>false</IncludeCapability></GetServices>`, &r)
	var s Services
	for _, v := range r.Service {
		addr := strings.TrimSpace(v.XAddr)
		switch strings.TrimSpace(v.Namespace) {
		case nsDevice:
			s.Device = addr
		case nsMedia:
			s.Media = addr
		case nsPTZ:
			s.PTZ = addr
		}
	}
	return s, err
}
