package onvif

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Request is a SOAP request as a device sees it: the operation, the
// UsernameToken if any, and the request's simple fields by local name
// (ProfileToken, PresetToken, PresetName; header fields such as MessageID
// too) and vectors (Velocity, Translation). camsim's device and the tests' fixture servers use it.
type Request struct {
	Op     string
	Token  *UsernameToken
	Fields map[string]string
	Vector map[string]Vector // "Velocity", "Translation"
}

// UsernameToken is a WS-Security token as sent.
type UsernameToken struct {
	Username string `xml:"Username"`
	Password struct {
		Type  string `xml:"Type,attr"`
		Value string `xml:",chardata"`
	} `xml:"Password"`
	Nonce   string `xml:"Nonce"`
	Created string `xml:"Created"`
}

// ErrNotAuthorized is a token that is missing or does not match.
var ErrNotAuthorized = errors.New("onvif: not authorized")

// Check verifies a PasswordDigest token against the password; Created
// must be within skew of now (replayed or stale tokens are refused).
func (t *UsernameToken) Check(username, password string, now time.Time, skew time.Duration) error {
	if t == nil || t.Username != username {
		return ErrNotAuthorized
	}
	nonce, err := base64.StdEncoding.DecodeString(strings.TrimSpace(t.Nonce))
	if err != nil {
		return fmt.Errorf("%w: bad nonce", ErrNotAuthorized)
	}
	created, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(t.Created))
	if err != nil {
		return fmt.Errorf("%w: bad Created", ErrNotAuthorized)
	}
	if d := now.Sub(created); d > skew || d < -skew {
		return fmt.Errorf("%w: Created %s is off the clock by %s", ErrNotAuthorized, t.Created, d.Round(time.Second))
	}
	want := PasswordDigest(nonce, strings.TrimSpace(t.Created), password)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.TrimSpace(t.Password.Value))) != 1 {
		return ErrNotAuthorized
	}
	return nil
}

// ReadRequest parses a SOAP request.
func ReadRequest(data []byte) (*Request, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = passCharset
	r := &Request{Fields: map[string]string{}, Vector: map[string]Vector{}}
	var stack []string
	for {
		tok, err := d.Token()
		if err != nil {
			if r.Op == "" {
				return nil, fmt.Errorf("onvif request: no operation: %w", err)
			}
			return r, nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(d, t, stack); err != nil {
				return nil, err
			}
			if t.Name.Local == "UsernameToken" {
				continue // consumed whole
			}
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) >= 2 {
				if v := strings.TrimSpace(string(t)); v != "" {
					r.Fields[stack[len(stack)-1]] = v
				}
			}
		}
	}
}

// start handles one start element at depth len(stack).
func (r *Request) start(d *xml.Decoder, t xml.StartElement, stack []string) error {
	switch {
	case len(stack) == 0 && t.Name.Local != "Envelope":
		return fmt.Errorf("onvif request: <%s> is no SOAP envelope", t.Name.Local)
	case t.Name.Local == "UsernameToken":
		var tok UsernameToken
		if err := d.DecodeElement(&tok, &t); err != nil {
			return fmt.Errorf("onvif request: UsernameToken: %w", err)
		}
		r.Token = &tok
	case len(stack) == 2 && stack[1] == "Body" && r.Op == "":
		r.Op = t.Name.Local
	case len(stack) >= 4 && (t.Name.Local == "PanTilt" || t.Name.Local == "Zoom"):
		r.vector(stack[len(stack)-1], t)
	}
	return nil
}

func (r *Request) vector(parent string, t xml.StartElement) {
	v := r.Vector[parent]
	for _, a := range t.Attr {
		f, err := parseFloat(a.Value)
		if err != nil {
			continue
		}
		switch {
		case t.Name.Local == "PanTilt" && a.Name.Local == "x":
			v.Pan = f
		case t.Name.Local == "PanTilt" && a.Name.Local == "y":
			v.Tilt = f
		case t.Name.Local == "Zoom" && a.Name.Local == "x":
			v.Zoom = f
		}
	}
	r.Vector[parent] = v
}
