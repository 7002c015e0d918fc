package config

import (
	"net"
	"strconv"
)

// ONVIF is a camera's ONVIF device.
type ONVIF struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"` // default 80
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// DefaultONVIFPort is the device service's HTTP port when none is given.
const DefaultONVIFPort = 80

// DeviceURL is the device service's address (the ONVIF default path).
func (o ONVIF) DeviceURL() string {
	port := o.Port
	if port == 0 {
		port = DefaultONVIFPort
	}
	return "http://" + net.JoinHostPort(o.Host, strconv.Itoa(port)) + "/onvif/device_service"
}

// onvifCamera checks a camera given by its ONVIF device: the keys that
// give streams another way would be silently ignored, so they are refused.
func (k *checker) onvifCamera(p string, cam Camera) {
	o := cam.ONVIF
	switch {
	case o.Host == "":
		k.add(p+".onvif.host", "", "required")
	case !validHost(o.Host):
		k.add(p+".onvif.host", o.Host, "must be a host name or IP address")
	}
	if o.Port < 0 || o.Port > 65535 {
		k.add(p+".onvif.port", "", "must be 1-65535, got %d", o.Port)
	}
	if (o.Username == "") != (o.Password == "") {
		k.add(p+".onvif", "", "username and password go together")
	}
	for _, f := range []struct {
		key string
		set bool
	}{
		{"url", cam.URL != ""}, {"sub_url", cam.SubURL != ""}, {"vendor", cam.Vendor != ""}, {"host", cam.Host != ""},
		{"port", cam.Port != 0}, {"channel", cam.Channel != 0}, {"username", cam.Username != ""},
		{"password", cam.Password != ""}, {"password_file", cam.PasswordFile != ""},
		{"path", cam.Path != ""}, {"sub_path", cam.SubPath != ""},
	} {
		if f.set {
			k.add(p+"."+f.key, "", "onvif gives the streams; %s is not used with it (credentials go in onvif)", f.key)
		}
	}
}
