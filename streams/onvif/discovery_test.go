package onvif

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/internal/netns"
)

// A probe on the multicast group finds the announcing device and only it:
// inside a namespace with loopback alone.
func TestDiscoveryFindsAnnouncer(t *testing.T) {
	if !netns.Loopback(t) {
		return
	}
	a, err := NewAnnouncer(AnnouncerOptions{Interface: "lo", Name: "站台 PTZ 1", Manufacturer: "vigil camsim", Model: "SIM-PTZ",
		XAddrs: []string{"http://127.0.0.1:8000/onvif/device_service"}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// The wait is how long answers are collected, not an assertion.
	found, err := Probe(context.Background(), ProbeOptions{Wait: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 {
		t.Fatalf("found %+v", found)
	}
	d := found[0]
	if d.Address != a.Address() || d.Name != "站台 PTZ 1" || d.Manufacturer != "vigil camsim" || d.Model != "SIM-PTZ" ||
		strings.Join(d.XAddrs, " ") != "http://127.0.0.1:8000/onvif/device_service" {
		t.Fatalf("found %+v", d)
	}
}

func TestProbeMatchesOfOtherVendorsScopes(t *testing.T) {
	data := []byte(`<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery"><SOAP-ENV:Header><wsa:RelatesTo>uuid:1</wsa:RelatesTo></SOAP-ENV:Header><SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:4d454930-0000-1000-8000-bcbac2a1b2c3</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types><wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/DS-2DE4425IW-DE onvif://www.onvif.org/name/HIKVISION%20DS-2DE4425IW-DE onvif://www.onvif.org/location/city/hangzhou</wsdd:Scopes><wsdd:XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::bec2:a1ff:feb2:c3]/onvif/device_service</wsdd:XAddrs><wsdd:MetadataVersion>10</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`)
	ms, relates, err := ParseProbeMatches(data)
	if err != nil || relates != "uuid:1" || len(ms) != 1 {
		t.Fatalf("%+v %q %v", ms, relates, err)
	}
	if ms[0].Name != "HIKVISION DS-2DE4425IW-DE" || ms[0].Model != "DS-2DE4425IW-DE" || len(ms[0].XAddrs) != 2 {
		t.Fatalf("%+v", ms[0])
	}
}
