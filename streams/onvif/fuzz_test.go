package onvif

import (
	"encoding/base64"
	"testing"
)

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecodeReply feeds device replies to every reply shape the client
// parses: no input may panic or hang.
func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(Reply(`<trt:GetProfilesResponse><trt:Profiles token="a"/></trt:GetProfilesResponse>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		outs := []any{&profilesResponse{}, &capabilitiesResponse{}, &servicesResponse{}, &systemDateAndTimeResponse{},
			&mediaURIResponse{}, &presetsResponse{}, &statusResponse{}, &setPresetResponse{}, &DeviceInfo{}, nil}
		for _, out := range outs {
			_ = decodeReply(data, out)
		}
		var p profilesResponse
		if decodeReply(data, &p) == nil {
			MainAndSub(p.profiles())
		}
	})
}

// FuzzReadRequest feeds requests to the device-side parser camsim uses.
func FuzzReadRequest(f *testing.F) {
	f.Add([]byte(`<s:Envelope xmlns:s="` + nsSOAP + `"><s:Body><ContinuousMove><ProfileToken>p</ProfileToken><Velocity><PanTilt x="1" y="0"/></Velocity></ContinuousMove></s:Body></s:Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadRequest(data)
		if err == nil && r.Token != nil {
			_ = r.Token.Check("u", "p", fixtureClock(0, 0, 0), 1)
		}
	})
}

// FuzzParseProbeMatches feeds discovery datagrams, which anyone on the
// network can send.
func FuzzParseProbeMatches(f *testing.F) {
	f.Add([]byte(probeMessage("uuid:1")))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, _, err := ParseProbeMatches(data)
		if err != nil && len(ms) > 0 {
			t.Fatal("matches with an error")
		}
	})
}
