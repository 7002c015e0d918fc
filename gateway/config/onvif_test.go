package config

import (
	"strings"
	"testing"
)

const onvifCam = goodStation + "      - id: c2\n        onvif: {host: 192.0.2.20, username: admin, password: \"s3cr:t\"}\n"

func TestONVIFCamera(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(onvifCam))
	if err != nil {
		t.Fatal(err)
	}
	cam := cfg.Stations[0].Cameras[1]
	if cam.ONVIF == nil || cam.ONVIF.DeviceURL() != "http://192.0.2.20:80/onvif/device_service" || cam.MainURL() != "" {
		t.Fatalf("camera %+v", cam)
	}
	cfg, err = Parse([]byte(goodStation + "      - id: c2\n        onvif: {host: \"2001:db8::1\", port: 8080}\n"))
	if err != nil || cfg.Stations[0].Cameras[1].ONVIF.DeviceURL() != "http://[2001:db8::1]:8080/onvif/device_service" {
		t.Fatalf("%v", err)
	}
}

func TestBadONVIFConfigs(t *testing.T) {
	t.Parallel()
	checkBadConfigs(t, []badConfig{
		{"onvif without host", goodStation + "      - id: c2\n        onvif: {port: 80}\n",
			`line 8: stations[0].cameras[1].onvif.host: required`},
		{"onvif bad host", goodStation + "      - id: c2\n        onvif: {host: \"a b\"}\n",
			`stations[0].cameras[1].onvif.host "a b": must be a host name or IP address`},
		{"onvif port", goodStation + "      - id: c2\n        onvif: {host: h, port: 70000}\n",
			`stations[0].cameras[1].onvif.port: must be 1-65535, got 70000`},
		{"onvif and url", onvifCam + "        url: rtsp://h/\n",
			`line 9: stations[0].cameras[1].url: onvif gives the streams; url is not used with it`},
		{"onvif and vendor", onvifCam + "        vendor: hikvision\n",
			`stations[0].cameras[1].vendor: onvif gives the streams`},
		{"onvif user without password", goodStation + "      - id: c2\n        onvif: {host: h, username: admin}\n",
			`stations[0].cameras[1].onvif: username and password go together`},
		{"onvif unknown key", goodStation + "      - id: c2\n        onvif: {host: h, pass: x}\n",
			`pass`},
	})
}

func TestONVIFPasswordNeverInErrors(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(onvifCam + "        url: rtsp://h/\n"))
	if err == nil || strings.Contains(err.Error(), "s3cr:t") {
		t.Fatalf("%v", err)
	}
}
