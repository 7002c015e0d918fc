package onvif

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// WS-Discovery's multicast group and port.
const DiscoveryAddr = "239.255.255.250:3702"

const (
	nsAddressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsDiscovery  = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
	maxDevices   = 1024 // a probe collects no more answers than this
)

// Discovered is a device that answered a probe.
type Discovered struct {
	Address      string   `json:"address"` // endpoint reference, e.g. urn:uuid:…
	Name         string   `json:"name"`
	Manufacturer string   `json:"manufacturer"`
	Model        string   `json:"model"`
	XAddrs       []string `json:"xaddrs"`
}

// ProbeOptions bound a probe.
type ProbeOptions struct {
	// Group is where the probe goes; default DiscoveryAddr.
	Group string
	// Wait is how long answers are collected; default 2 s.
	Wait time.Duration
}

// Probe multicasts a WS-Discovery Probe for NetworkVideoTransmitters and
// collects the ProbeMatches that answer it within Wait (or until ctx ends).
func Probe(ctx context.Context, o ProbeOptions) ([]Discovered, error) {
	if o.Group == "" {
		o.Group = DiscoveryAddr
	}
	if o.Wait <= 0 {
		o.Wait = 2 * time.Second
	}
	group, err := net.ResolveUDPAddr("udp4", o.Group)
	if err != nil {
		return nil, fmt.Errorf("onvif discovery: %w", err)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		return nil, fmt.Errorf("onvif discovery: %w", err)
	}
	defer conn.Close()
	id := "uuid:" + newUUID()
	if _, err := conn.WriteToUDP([]byte(probeMessage(id)), group); err != nil {
		return nil, fmt.Errorf("onvif discovery: sending the probe: %w", err)
	}
	deadline := time.Now().Add(o.Wait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	return collect(conn, id)
}

// collect reads answers until the read deadline.
func collect(conn *net.UDPConn, id string) ([]Discovered, error) {
	seen := map[string]bool{}
	var out []Discovered
	buf := make([]byte, 64<<10)
	for len(out) < maxDevices {
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			return out, fmt.Errorf("onvif discovery: %w", err)
		}
		matches, relates, err := ParseProbeMatches(buf[:n])
		if err != nil || (relates != "" && relates != id) {
			continue // another client's answer or noise
		}
		for _, m := range matches {
			if m.Address != "" && !seen[m.Address] {
				seen[m.Address] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

func probeMessage(id string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="` + nsSOAP + `" xmlns:w="` + nsAddressing +
		`" xmlns:d="` + nsDiscovery + `" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>` +
		`<w:MessageID>` + id + `</w:MessageID><w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
		`<w:Action e:mustUnderstand="true">` + nsDiscovery + `/Probe</w:Action></e:Header>` +
		`<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>`
}

type probeMatchesEnvelope struct {
	Header struct {
		RelatesTo string `xml:"RelatesTo"`
	} `xml:"Header"`
	Body struct {
		Matches struct {
			Match []struct {
				Address string `xml:"EndpointReference>Address"`
				Scopes  string `xml:"Scopes"`
				XAddrs  string `xml:"XAddrs"`
			} `xml:"ProbeMatch"`
		} `xml:"ProbeMatches"`
	} `xml:"Body"`
}

// ParseProbeMatches reads a ProbeMatches datagram and the MessageID it
// answers (RelatesTo).
func ParseProbeMatches(data []byte) ([]Discovered, string, error) {
	var env probeMatchesEnvelope
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = passCharset
	if err := d.Decode(&env); err != nil {
		return nil, "", fmt.Errorf("onvif discovery: %w", err)
	}
	var out []Discovered
	for _, m := range env.Body.Matches.Match {
		v := Discovered{Address: strings.TrimSpace(m.Address), XAddrs: strings.Fields(m.XAddrs)}
		v.Name, v.Manufacturer, v.Model = scopeInfo(strings.Fields(m.Scopes))
		out = append(out, v)
	}
	return out, strings.TrimSpace(env.Header.RelatesTo), nil
}

// scopeInfo reads the ONVIF scopes a device announces itself with:
// onvif://www.onvif.org/name/…, /hardware/… (the model) and the
// manufacturer under /mfr/ or /manufacturer/ (vendors differ).
func scopeInfo(scopes []string) (name, manufacturer, model string) {
	const prefix = "onvif://www.onvif.org/"
	for _, s := range scopes {
		rest, ok := strings.CutPrefix(s, prefix)
		if !ok {
			continue
		}
		key, val, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		if u, err := url.PathUnescape(val); err == nil {
			val = u
		}
		switch key {
		case "name":
			name = val
		case "hardware":
			model = val
		case "mfr", "manufacturer":
			manufacturer = val
		}
	}
	return name, manufacturer, model
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
