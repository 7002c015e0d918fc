package config

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"vigil/streams/redact"
)

// hostRe accepts DNS names; IP addresses are checked with netip.
var hostRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$`)

func (k *checker) camera(p string, cam Camera) {
	k.name(p+".name", cam.Name)
	k.name(p+".name_en", cam.NameEN)
	k.name(p+".area", cam.Area)
	k.name(p+".area_en", cam.AreaEN)
	switch {
	case cam.ONVIF != nil:
		k.onvifCamera(p, cam)
	case cam.Vendor == "":
		k.urlCamera(p, cam)
	case cam.Vendor == VendorGeneric:
		if cam.builtFromHost() {
			k.hostCamera(p, cam)
		} else {
			k.urlCamera(p, cam)
		}
	case cam.Vendor == VendorHikvision, cam.Vendor == VendorDahua, cam.Vendor == VendorUniview:
		k.hostCamera(p, cam)
	default:
		k.add(p+".vendor", cam.Vendor, "must be hikvision, dahua, uniview or generic")
	}
	switch cam.Transport {
	case "auto", "tcp", "udp":
	default:
		k.add(p+".transport", cam.Transport, "must be auto, tcp or udp")
	}
}

// urlCamera checks a camera given by raw URL; the keys that build a URL
// from a host would be silently ignored, so they are refused.
func (k *checker) urlCamera(p string, cam Camera) {
	if cam.URL == "" {
		switch {
		case cam.Vendor == VendorGeneric:
			k.add(p, "", "vendor generic needs url, or host + path")
		case cam.Host != "":
			k.add(p+".host", "", "needs vendor hikvision, dahua, uniview or generic (or give url instead)")
		default:
			k.add(p, "", "either url or vendor + host is required")
		}
		return
	}
	k.rtspURL(p+".url", cam.URL)
	if cam.SubURL != "" {
		k.rtspURL(p+".sub_url", cam.SubURL)
	}
	if cam.Host != "" {
		k.add(p+".host", "", "url and host are mutually exclusive; put the host in the url")
	}
	const (
		hostOnly    = "only used with vendor + host; with url, put it in the url"
		genericOnly = "only used with vendor generic + host; with url, put it in the url"
	)
	for _, f := range []struct {
		key, msg string
		set      bool
	}{
		{"port", hostOnly, cam.Port != 0}, {"channel", hostOnly, cam.Channel != 0},
		{"username", hostOnly, cam.Username != ""}, {"password", hostOnly, cam.Password != ""},
		{"password_file", hostOnly, cam.PasswordFile != ""},
		{"path", genericOnly, cam.Path != ""}, {"sub_path", genericOnly, cam.SubPath != ""},
	} {
		if f.set {
			k.add(p+"."+f.key, "", "%s", f.msg)
		}
	}
}

// hostCamera checks a camera whose URLs are built from host: a named vendor,
// or vendor generic with host.
func (k *checker) hostCamera(p string, cam Camera) {
	generic := cam.Vendor == VendorGeneric
	if cam.URL != "" {
		k.add(p+".url", "", "url and vendor %s are mutually exclusive", cam.Vendor)
	}
	switch {
	case cam.SubURL != "" && generic:
		k.add(p+".sub_url", "", "only used with url; with host, give sub_path")
	case cam.SubURL != "":
		k.add(p+".sub_url", "", "sub_url and vendor %s are mutually exclusive", cam.Vendor)
	}
	switch {
	case cam.Host == "":
		k.add(p+".host", "", "required with vendor %s", cam.Vendor)
	case !validHost(cam.Host):
		k.add(p+".host", cam.Host, "must be a host name or IP address")
	}
	if cam.Port < 1 || cam.Port > 65535 {
		k.add(p+".port", "", "must be 1-65535, got %d", cam.Port)
	}
	if generic {
		k.genericPaths(p, cam)
		return
	}
	k.channel(p, cam.Channel)
	for _, f := range [...]struct{ key, v string }{{"path", cam.Path}, {"sub_path", cam.SubPath}} {
		if f.v != "" {
			k.add(p+"."+f.key, "", "only used with vendor generic; vendor %s builds its own", cam.Vendor)
		}
	}
}

func (k *checker) channel(p string, ch int) {
	if ch < 1 || ch > 999 {
		k.add(p+".channel", "", "must be 1-999, got %d", ch)
	}
}

// genericPaths checks the path and sub_path of a generic camera with host,
// and that a channel is only given where a path uses it.
func (k *checker) genericPaths(p string, cam Camera) {
	if cam.Path == "" {
		k.add(p+".path", "", "required with vendor generic + host, e.g. /stream1 or /live/ch{channel}")
	} else {
		k.streamPath(p+".path", cam.Path)
	}
	if cam.SubPath != "" {
		k.streamPath(p+".sub_path", cam.SubPath)
	}
	switch {
	case cam.usesChannel():
		k.channel(p, cam.Channel)
	case cam.Channel != 0:
		k.add(p+".channel", "", "only used when path or sub_path contains %s", ChannelPlaceholder)
	}
}

// streamPath checks a generic camera's path as it will sit in the URL.
// Values are quoted with credential-like query parameters masked.
func (k *checker) streamPath(path, v string) {
	filled := strings.ReplaceAll(v, ChannelPlaceholder, "1")
	switch {
	case !strings.HasPrefix(v, "/"):
		k.add(path, redact.Params(v), "must start with /")
	case strings.HasPrefix(v, "//"):
		k.add(path, redact.Params(v), "must start with a single /, the host goes in host")
	case strings.Contains(v, "#"):
		k.add(path, redact.Params(v), "must not contain #")
	case strings.ContainsAny(filled, "{}"):
		k.add(path, redact.Params(v), "only %s is replaced; no other braces allowed", ChannelPlaceholder)
	default:
		if _, ok := parsePath(filled); !ok {
			k.add(path, redact.Params(v), "not a valid URL path (control character or bad %% escape?)")
		}
	}
}

func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	return hostRe.MatchString(h) && !strings.Contains(h, "..")
}

// rtspURL checks a camera URL. Messages never include the URL's error text
// or userinfo, which may hold the camera password.
func (k *checker) rtspURL(path, raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		k.add(path, redact.URL(raw), "not a valid URL")
		return
	}
	if s := strings.ToLower(u.Scheme); s != "rtsp" && s != "rtsps" {
		k.add(path, redact.URL(raw), "scheme must be rtsp or rtsps")
		return
	}
	if u.Hostname() == "" {
		k.add(path, redact.URL(raw), "missing host")
	}
}
