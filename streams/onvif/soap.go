// Package onvif is a small ONVIF client for what vigil needs of a camera:
// the device service (clock, capabilities, services, identity), the media
// service (profiles, stream and snapshot URIs) and the PTZ service (moves,
// presets, status), plus WS-Discovery.
//
// It speaks SOAP 1.2 with encoding/xml and matches replies by local
// element names, so the namespace prefixes each vendor picks (env:, s:,
// SOAP-ENV:, tt:, trt:) and SOAP 1.1 faults of older firmware all parse.
// Every reply is bounded (MaxReply), every call has a timeout, and a SOAP
// fault becomes a *Fault error that names the call.
package onvif

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Namespaces of the services and the schema.
const (
	nsDevice = "http://www.onvif.org/ver10/device/wsdl"
	nsMedia  = "http://www.onvif.org/ver10/media/wsdl"
	nsPTZ    = "http://www.onvif.org/ver20/ptz/wsdl"
	nsSchema = "http://www.onvif.org/ver10/schema"
	nsSOAP   = "http://www.w3.org/2003/05/soap-envelope"
	nsWSSE   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
)

// Defaults of Options.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultMaxReply = 1 << 20
)

// ErrReplyTooLarge is returned when a device's reply exceeds MaxReply.
var ErrReplyTooLarge = errors.New("reply too large")

// Options describe how to reach one device.
type Options struct {
	// URL of the device service, e.g. http://10.1.2.3/onvif/device_service.
	URL      string
	Username string
	Password string
	// Timeout bounds each call; default DefaultTimeout.
	Timeout time.Duration
	// MaxReply bounds each reply's body in bytes; default DefaultMaxReply.
	MaxReply int64
	// HTTP is the client to use; default a fresh one.
	HTTP *http.Client
}

// Client signs and sends SOAP calls to one device.
type Client struct {
	o Options

	mu     sync.Mutex
	offset time.Duration // device clock minus ours
}

// NewClient checks the options and fills their defaults.
func NewClient(o Options) (*Client, error) {
	if !strings.HasPrefix(o.URL, "http://") && !strings.HasPrefix(o.URL, "https://") {
		return nil, fmt.Errorf("onvif: device URL must be http or https")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxReply <= 0 {
		o.MaxReply = DefaultMaxReply
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	return &Client{o: o}, nil
}

// SetClockOffset records how far the device's clock is ahead of ours, so
// that the UsernameToken's Created is the device's time: devices refuse
// tokens whose Created is too far from their clock.
func (c *Client) SetClockOffset(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

// ClockOffset is the last offset set.
func (c *Client) ClockOffset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// call posts body (one request element, already serialized) to url and
// decodes the reply's body element into out (nil: ignore it). name is the
// operation, for errors.
func (c *Client) call(ctx context.Context, url, name, body string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	env := c.envelope(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(env))
	if err != nil {
		return fmt.Errorf("onvif: %s: %w", name, err)
	}
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8`)
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("onvif: %s: %w", name, scrubURL(err))
	}
	defer resp.Body.Close()
	data, err := readBounded(resp.Body, c.o.MaxReply)
	if err != nil {
		return fmt.Errorf("onvif: %s: %w", name, err)
	}
	if err := decodeReply(data, out); err != nil {
		var f *Fault
		if errors.As(err, &f) {
			f.Op = name
			return f
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("onvif: %s: HTTP %d", name, resp.StatusCode)
		}
		return fmt.Errorf("onvif: %s: %w", name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("onvif: %s: HTTP %d", name, resp.StatusCode)
	}
	return nil
}

// readBounded reads r up to max bytes; more is ErrReplyTooLarge, not a
// silently cut reply.
func readBounded(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading reply: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrReplyTooLarge, max)
	}
	return data, nil
}

// scrubURL drops the URL from net/http's errors: a device URL given with
// userinfo must not reach a log through an error.
func scrubURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func (c *Client) envelope(body string) string {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:tt="` + nsSchema + `"><s:Header>`)
	if c.o.Username != "" {
		c.security(&b)
	}
	b.WriteString(`</s:Header><s:Body>`)
	b.WriteString(body)
	b.WriteString(`</s:Body></s:Envelope>`)
	return b.String()
}

// security writes a WS-Security UsernameToken with PasswordDigest:
// Base64(SHA1(nonce + created + password)).
func (c *Client) security(b *bytes.Buffer) {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	created := time.Now().Add(c.ClockOffset()).UTC().Format("2006-01-02T15:04:05.000Z")
	b.WriteString(`<wsse:Security s:mustUnderstand="1" xmlns:wsse="` + nsWSSE + `" xmlns:wsu="` + nsWSU + `">`)
	b.WriteString(`<wsse:UsernameToken><wsse:Username>` + escape(c.o.Username) + `</wsse:Username>`)
	b.WriteString(`<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">`)
	b.WriteString(PasswordDigest(nonce, created, c.o.Password))
	b.WriteString(`</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">`)
	b.WriteString(base64.StdEncoding.EncodeToString(nonce))
	b.WriteString(`</wsse:Nonce><wsu:Created>` + created + `</wsu:Created></wsse:UsernameToken></wsse:Security>`)
}

// PasswordDigest is the UsernameToken digest of the spec (WS-Security
// UsernameToken Profile 1.0): Base64(SHA-1(nonce + created + password)).
func PasswordDigest(nonce []byte, created, password string) string {
	h := sha1.New()
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
