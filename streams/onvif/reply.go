package onvif

import (
	"math"
	"strconv"
)

// Reply wraps a response body element (serialized, with its namespaces)
// in a SOAP 1.2 envelope.
func Reply(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="` + nsSOAP +
		`" xmlns:tt="` + nsSchema + `" xmlns:tds="` + nsDevice + `" xmlns:trt="` + nsMedia +
		`" xmlns:tptz="` + nsPTZ + `" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body>` +
		body + `</env:Body></env:Envelope>`
}

// FaultReply is a SOAP 1.2 fault envelope; code is env:Sender or
// env:Receiver, subcode e.g. ter:NotAuthorized.
func FaultReply(code, subcode, reason string) string {
	return Reply(`<env:Fault><env:Code><env:Value>` + escape(code) + `</env:Value><env:Subcode><env:Value>` +
		escape(subcode) + `</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">` +
		escape(reason) + `</env:Text></env:Reason></env:Fault>`)
}

// Escape is XML text escaping for values put into replies.
func Escape(s string) string { return escape(s) }

// parseFloat reads a finite number.
func parseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, strconv.ErrRange
	}
	return f, nil
}
