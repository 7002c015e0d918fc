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
	// VendorGeneric takes either url (like no vendor at all) or host plus
	// path and sub_path, for cameras whose URL scheme is not built in.
	VendorGeneric = "generic"
)

// ChannelPlaceholder is replaced by the channel number in a generic camera's
// path and sub_path.
const ChannelPlaceholder = "{channel}"

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

// builtFromHost reports whether the camera's URLs are built from host rather
// than given: a named vendor, or vendor generic with host and no url.
func (c Camera) builtFromHost() bool {
	if c.Vendor == VendorGeneric {
		return c.Host != "" && c.URL == ""
	}
	return c.Vendor != ""
}

// usesChannel reports whether a generic camera's paths hold {channel}.
func (c Camera) usesChannel() bool {
	return strings.Contains(c.Path, ChannelPlaceholder) || strings.Contains(c.SubPath, ChannelPlaceholder)
}

// MainURL returns the camera's main stream URL: url when given, otherwise
// the URL built from host, port, channel, credentials and the vendor's (or,
// for generic, the configured) path. It holds credentials: log it only
// through redact.URL.
func (c Camera) MainURL() string {
	if c.URL != "" {
		return c.URL
	}
	return c.builtURL(false)
}

// SubStreamURL returns the camera's sub stream URL: sub_url when given,
// otherwise the vendor's sub stream or the generic sub_path; "" when the
// camera has none, in which case callers fall back to MainURL.
func (c Camera) SubStreamURL() string {
	if c.SubURL != "" || c.URL != "" {
		return c.SubURL
	}
	return c.builtURL(true)
}

// streamPath returns the path and query of the main or sub stream, with the
// channel filled in; "" when there is none.
func (c Camera) streamPath(sub bool) string {
	ch := c.Channel
	if ch == 0 {
		ch = DefaultChannel
	}
	if c.Vendor == VendorGeneric {
		p := c.Path
		if sub {
			p = c.SubPath
		}
		return strings.ReplaceAll(p, ChannelPlaceholder, strconv.Itoa(ch))
	}
	if build, ok := vendorPaths[c.Vendor]; ok {
		return build(ch, sub)
	}
	return ""
}

// builtURL builds a stream URL from host and path; "" when the camera has no
// such stream or its path does not form a URL (Validate refuses that).
func (c Camera) builtURL(sub bool) string {
	if !c.builtFromHost() || c.Host == "" {
		return ""
	}
	ref, ok := parsePath(c.streamPath(sub))
	if !ok {
		return ""
	}
	port := c.Port
	if port == 0 {
		port = DefaultRTSPPort
	}
	u := &url.URL{Scheme: "rtsp", Host: net.JoinHostPort(c.Host, strconv.Itoa(port))}
	if c.Username != "" || c.Password != "" {
		u.User = url.UserPassword(c.Username, c.Password)
	}
	// Path as written: escapes the operator typed (%20) are kept, not doubled.
	u.Path, u.RawPath, u.RawQuery = ref.Path, ref.RawPath, ref.RawQuery
	return u.String()
}

// parsePath parses an absolute path with optional query, as a camera URL's
// part after the host; it refuses anything that would change the host or be
// dropped from the request (a fragment).
func parsePath(p string) (*url.URL, bool) {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "#") {
		return nil, false
	}
	ref, err := url.Parse(p)
	if err != nil || ref.Scheme != "" || ref.Host != "" || ref.User != nil {
		return nil, false
	}
	return ref, true
}
