package onvif

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Fault is a SOAP fault a device answered with (SOAP 1.2 Code/Subcode/
// Reason, or SOAP 1.1 faultcode/faultstring).
type Fault struct {
	Op      string // the operation that failed
	Code    string // e.g. env:Sender
	Subcode string // e.g. ter:NotAuthorized, "" when absent
	Reason  string
}

func (f *Fault) Error() string {
	code := f.Code
	if f.Subcode != "" {
		code += "/" + f.Subcode
	}
	op := f.Op
	if op == "" {
		op = "call"
	}
	if f.Reason == "" {
		return fmt.Sprintf("onvif: %s: SOAP fault %s", op, code)
	}
	return fmt.Sprintf("onvif: %s: SOAP fault %s: %s", op, code, f.Reason)
}

// NotAuthorized tells whether the device refused the credentials.
func (f *Fault) NotAuthorized() bool {
	return strings.Contains(f.Subcode, "NotAuthorized") || strings.Contains(f.Code, "NotAuthorized") ||
		strings.Contains(f.Subcode, "FailedAuthentication")
}

// wireFault holds both SOAP versions' fault shapes.
type wireFault struct {
	Code struct {
		Value   string `xml:"Value"`
		Subcode struct {
			Value   string `xml:"Value"`
			Subcode struct {
				Value string `xml:"Value"`
			} `xml:"Subcode"`
		} `xml:"Subcode"`
	} `xml:"Code"`
	Reason struct {
		Text []string `xml:"Text"`
	} `xml:"Reason"`
	FaultCode   string `xml:"faultcode"`
	FaultString string `xml:"faultstring"`
}

func (w *wireFault) fault() *Fault {
	f := &Fault{Code: strings.TrimSpace(w.Code.Value), Subcode: strings.TrimSpace(w.Code.Subcode.Value)}
	if inner := strings.TrimSpace(w.Code.Subcode.Subcode.Value); inner != "" {
		f.Subcode += "/" + inner
	}
	if len(w.Reason.Text) > 0 {
		f.Reason = strings.TrimSpace(w.Reason.Text[0])
	}
	if f.Code == "" {
		f.Code = strings.TrimSpace(w.FaultCode)
		f.Reason = strings.TrimSpace(w.FaultString)
	}
	if f.Code == "" {
		f.Code = "unknown"
	}
	return f
}

// errNoEnvelope is a reply that is no SOAP envelope at all.
var errNoEnvelope = errors.New("reply is no SOAP envelope")

// decodeReply parses a SOAP envelope: a fault in its body is returned as a
// *Fault; otherwise the body's first element is decoded into out (nil:
// only checked to be an envelope).
func decodeReply(data []byte, out any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = passCharset
	if err := findElement(d, "Envelope", 0); err != nil {
		return err
	}
	if err := findElement(d, "Body", 1); err != nil {
		return err
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("SOAP body: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Fault" {
				var w wireFault
				if err := d.DecodeElement(&w, &t); err != nil {
					return fmt.Errorf("SOAP fault: %w", err)
				}
				return w.fault()
			}
			if out == nil {
				return d.Skip()
			}
			if err := d.DecodeElement(out, &t); err != nil {
				return fmt.Errorf("%s: %w", t.Name.Local, err)
			}
			return nil
		case xml.EndElement:
			return errors.New("SOAP body is empty")
		}
	}
}

// findElement reads to the next start element, which must be named local;
// depth is only for the message.
func findElement(d *xml.Decoder, local string, depth int) error {
	for {
		tok, err := d.Token()
		if err != nil {
			if depth == 0 {
				return fmt.Errorf("%w: %v", errNoEnvelope, err)
			}
			return fmt.Errorf("SOAP %s: %w", local, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == local {
				return nil
			}
			if local == "Body" && t.Name.Local == "Header" {
				if err := d.Skip(); err != nil {
					return fmt.Errorf("SOAP Header: %w", err)
				}
				continue
			}
			if depth == 0 {
				return fmt.Errorf("%w: starts with <%s>", errNoEnvelope, t.Name.Local)
			}
			return fmt.Errorf("SOAP: <%s> where <%s> was expected", t.Name.Local, local)
		case xml.EndElement:
			return fmt.Errorf("SOAP: no <%s>", local)
		}
	}
}

// passCharset accepts the encodings devices declare for what is ASCII/UTF-8
// in practice (some declare "utf8" or "GB2312" for ASCII replies).
func passCharset(_ string, r io.Reader) (io.Reader, error) { return r, nil }

// escape is XML text escaping of a value put into a request.
func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
