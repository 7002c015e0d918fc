package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"vigil/streams/onvif"
)

var esc = onvif.Escape

// deviceOp answers the device service's operations; ok false: not one.
func (d *ONVIF) deviceOp(cam, op string) (body string, ok bool) {
	ptz := ""
	if d.srv.PTZ(cam) != nil {
		ptz = `<tt:PTZ><tt:XAddr>` + d.serviceURL(cam, "ptz") + `</tt:XAddr></tt:PTZ>`
	}
	switch op {
	case "GetSystemDateAndTime":
		t := d.now().UTC()
		return fmt.Sprintf(`<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>`+
			`<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>%d</tt:Hour><tt:Minute>%d</tt:Minute>`+
			`<tt:Second>%d</tt:Second></tt:Time><tt:Date><tt:Year>%d</tt:Year><tt:Month>%d</tt:Month><tt:Day>%d</tt:Day></tt:Date>`+
			`</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
			t.Hour(), t.Minute(), t.Second(), t.Year(), int(t.Month()), t.Day()), true
	case "GetCapabilities":
		return `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>` + d.DeviceURL(cam) + `</tt:XAddr></tt:Device>` +
			`<tt:Media><tt:XAddr>` + d.serviceURL(cam, "media") + `</tt:XAddr></tt:Media>` + ptz +
			`</tds:Capabilities></tds:GetCapabilitiesResponse>`, true
	case "GetServices":
		s := service(onvifNS["device"], d.DeviceURL(cam)) + service(onvifNS["media"], d.serviceURL(cam, "media"))
		if ptz != "" {
			s += service(onvifNS["ptz"], d.serviceURL(cam, "ptz"))
		}
		return `<tds:GetServicesResponse>` + s + `</tds:GetServicesResponse>`, true
	case "GetDeviceInformation":
		return `<tds:GetDeviceInformationResponse><tds:Manufacturer>vigil camsim</tds:Manufacturer><tds:Model>` + d.model(cam) +
			`</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>` + esc(cam) +
			`</tds:SerialNumber><tds:HardwareId>sim</tds:HardwareId></tds:GetDeviceInformationResponse>`, true
	}
	return "", false
}

var onvifNS = map[string]string{
	"device": "http://www.onvif.org/ver10/device/wsdl",
	"media":  "http://www.onvif.org/ver10/media/wsdl",
	"ptz":    "http://www.onvif.org/ver20/ptz/wsdl",
}

func service(ns, addr string) string {
	return `<tds:Service><tds:Namespace>` + ns + `</tds:Namespace><tds:XAddr>` + addr + `</tds:XAddr>` +
		`<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`
}

func (d *ONVIF) model(cam string) string {
	if d.srv.PTZ(cam) != nil {
		return "SIM-PTZ"
	}
	return "SIM-IPC"
}

// mediaOp answers the media service's operations; ok false: not one.
func (d *ONVIF) mediaOp(cam string, req *onvif.Request) (body string, err error, ok bool) {
	c := d.srv.byName[cam]
	switch req.Op {
	case "GetProfiles":
		w, h := c.opts.Width, c.opts.Height
		return `<trt:GetProfilesResponse>` + d.profile(cam, "main", w, h) + d.profile(cam, "sub", w/2&^1, h/2&^1) +
			`</trt:GetProfilesResponse>`, nil, true
	case "GetStreamUri", "GetSnapshotUri":
		path := cam
		switch req.Fields["ProfileToken"] {
		case "main":
		case "sub":
			path += SubPathSuffix
		default:
			return "", invalidArg("ter:NoProfile", "no such profile"), true
		}
		if req.Op == "GetSnapshotUri" {
			return mediaURI(req.Op, "http://"+d.Addr(cam)+"/sim/snapshot.jpg?profile="+req.Fields["ProfileToken"]), nil, true
		}
		return mediaURI(req.Op, d.srv.rtsp.URL(path)), nil, true
	}
	return "", nil, false
}

func mediaURI(op, uri string) string {
	return `<trt:` + op + `Response><trt:MediaUri><tt:Uri>` + esc(uri) + `</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
		`<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:` + op + `Response>`
}

func (d *ONVIF) profile(cam, token string, w, h int) string {
	ptz := ""
	if d.srv.PTZ(cam) != nil {
		ptz = `<tt:PTZConfiguration token="ptz0"><tt:Name>ptz</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>node0</tt:NodeToken></tt:PTZConfiguration>`
	}
	return fmt.Sprintf(`<trt:Profiles token="%s" fixed="true"><tt:Name>%s</tt:Name><tt:VideoEncoderConfiguration token="enc-%s">`+
		`<tt:Name>%s</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>%d</tt:Width>`+
		`<tt:Height>%d</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration>%s</trt:Profiles>`, token, token, token, token, w, h, ptz)
}

// ptzOp answers the PTZ service's operations.
func (d *ONVIF) ptzOp(cam string, req *onvif.Request) (string, error) {
	p := d.srv.PTZ(cam)
	if p == nil {
		return "", errNotSupported
	}
	if t := req.Fields["ProfileToken"]; t != "main" && t != "sub" {
		return "", invalidArg("ter:NoProfile", "no such profile")
	}
	tag := func(s string) string { return `<tptz:` + req.Op + `Response>` + s + `</tptz:` + req.Op + `Response>` }
	switch req.Op {
	case "ContinuousMove":
		p.Move(req.Vector["Velocity"], parseTimeout(req.Fields["Timeout"]))
	case "Stop":
		p.Stop()
	case "RelativeMove":
		p.Relative(req.Vector["Translation"])
	case "GetPresets":
		var b strings.Builder
		for _, s := range p.Presets() {
			b.WriteString(`<tptz:Preset token="` + esc(s.Token) + `"><tt:Name>` + esc(s.Name) + `</tt:Name></tptz:Preset>`)
		}
		return tag(b.String()), nil
	case "SetPreset":
		return tag(`<tptz:PresetToken>` + p.SavePreset(req.Fields["PresetName"]) + `</tptz:PresetToken>`), nil
	case "GotoPreset", "RemovePreset":
		return tag(""), presetFault(req.Op, p, req.Fields["PresetToken"])
	case "GetStatus":
		return tag(status(p)), nil
	default:
		return "", errNotSupported
	}
	return tag(""), nil
}

func presetFault(op string, p *PTZ, token string) error {
	var err error
	if op == "GotoPreset" {
		err = p.Goto(token)
	} else {
		err = p.RemovePreset(token)
	}
	if errors.Is(err, ErrNoPreset) {
		return invalidArg("ter:NoToken", "The requested preset token does not exist.")
	}
	return err
}

func status(p *PTZ) string {
	pos, move := p.Position(), "IDLE"
	if p.Moving() {
		move = "MOVING"
	}
	n := func(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
	return `<tptz:PTZStatus><tt:Position><tt:PanTilt x="` + n(pos.Pan) + `" y="` + n(pos.Tilt) + `"/><tt:Zoom x="` + n(pos.Zoom) +
		`"/></tt:Position><tt:MoveStatus><tt:PanTilt>` + move + `</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>` +
		`<tt:UtcTime>` + time.Now().UTC().Format(time.RFC3339) + `</tt:UtcTime></tptz:PTZStatus>`
}

// parseTimeout reads the xs:duration PTnS (or PTn.nS) a move may carry.
func parseTimeout(s string) time.Duration {
	v, ok := strings.CutPrefix(s, "PT")
	if !ok || !strings.HasSuffix(v, "S") {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "S"), 64)
	if err != nil || f <= 0 || f > 3600 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
