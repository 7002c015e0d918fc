package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Camera vendors whose RTSP URLs the gateway can build from host, channel
// and credentials.
const (
	VendorHikvision = "hikvision"
	VendorDahua     = "dahua"
	VendorUniview   = "uniview"
	VendorGeneric   = "generic" // needs url, like no vendor at all
)

// vendorPaths builds the path and query of a vendor's main (sub=false) or
// sub stream for a 1-based channel.
var vendorPaths = map[string]func(ch int, sub bool) string{
	VendorHikvision: func(ch int, sub bool) string {
		return fmt.Sprintf("/Streaming/Channels/%d0%d", ch, pick(sub, 2, 1))
	},
	VendorDahua: func(ch int, sub bool) string {
		return fmt.Sprintf("/cam/realmonitor?channel=%d&subtype=%d", ch, pick(sub, 1, 0))
	},
	VendorUniview: func(ch int, sub bool) string {
		return fmt.Sprintf("/unicast/c%d/s%d/live", ch, pick(sub, 1, 0))
	},
}

func pick(cond bool, a, b int) int {
	if cond {
		return a
	}
	return b
}

// MainURL returns the camera's main stream URL: url when given, otherwise
// the vendor's URL built from host, port, channel and credentials. It holds
// credentials: log it only through Redacted.
func (c Camera) MainURL() string {
	if c.URL != "" {
		return c.URL
	}
	return c.vendorURL(false)
}

// SubStreamURL returns the camera's sub stream URL: sub_url when given,
// otherwise the vendor's sub stream; "" when the camera has none, in which
// case callers fall back to MainURL.
func (c Camera) SubStreamURL() string {
	if c.SubURL != "" || c.URL != "" {
		return c.SubURL
	}
	return c.vendorURL(true)
}

func (c Camera) vendorURL(sub bool) string {
	build, ok := vendorPaths[c.Vendor]
	if !ok || c.Host == "" {
		return ""
	}
	port, ch := c.Port, c.Channel
	if port == 0 {
		port = DefaultRTSPPort
	}
	if ch == 0 {
		ch = DefaultChannel
	}
	u := &url.URL{Scheme: "rtsp", Host: net.JoinHostPort(c.Host, strconv.Itoa(port))}
	if c.Username != "" || c.Password != "" {
		u.User = url.UserPassword(c.Username, c.Password)
	}
	path, query, _ := strings.Cut(build(ch, sub), "?")
	u.Path, u.RawQuery = path, query
	return u.String()
}

// sensitiveQueryKeys are query parameters some cameras take credentials in.
var sensitiveQueryKeys = []string{"user", "username", "password", "passwd", "pwd", "pass", "token", "auth", "key", "secret"}

// Redacted returns rawURL without credentials, for logs and API responses:
// userinfo is removed and credential-like query values are masked. A URL
// that does not parse is reduced to its scheme, since it may hold anything.
func Redacted(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if scheme, _, ok := strings.Cut(rawURL, "://"); ok && !strings.ContainsAny(scheme, "@:/") {
			return scheme + "://<invalid>"
		}
		return "<invalid>"
	}
	if u.Opaque != "" { // "scheme:opaque" has no host and may be all secret
		return u.Scheme + ":<redacted>"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			for _, s := range sensitiveQueryKeys {
				if strings.EqualFold(k, s) {
					q[k] = []string{"xxxxx"}
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
