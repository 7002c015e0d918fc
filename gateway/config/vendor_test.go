package config

import (
	"testing"
)

func TestVendorURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cam       Camera
		main, sub string
	}{
		{Camera{Vendor: VendorHikvision, Host: "192.0.2.1", Channel: 1, Username: "admin", Password: "pw"},
			"rtsp://admin:pw@192.0.2.1:554/Streaming/Channels/101",
			"rtsp://admin:pw@192.0.2.1:554/Streaming/Channels/102"},
		{Camera{Vendor: VendorHikvision, Host: "nvr.example", Port: 10554, Channel: 12, Username: "admin", Password: "pw"},
			"rtsp://admin:pw@nvr.example:10554/Streaming/Channels/1201",
			"rtsp://admin:pw@nvr.example:10554/Streaming/Channels/1202"},
		{Camera{Vendor: VendorDahua, Host: "192.0.2.2", Channel: 3, Username: "u", Password: "p"},
			"rtsp://u:p@192.0.2.2:554/cam/realmonitor?channel=3&subtype=0",
			"rtsp://u:p@192.0.2.2:554/cam/realmonitor?channel=3&subtype=1"},
		{Camera{Vendor: VendorUniview, Host: "192.0.2.3", Channel: 2, Username: "u", Password: "p"},
			"rtsp://u:p@192.0.2.3:554/unicast/c2/s0/live",
			"rtsp://u:p@192.0.2.3:554/unicast/c2/s1/live"},
		// Credentials with reserved characters are escaped, not spliced in.
		{Camera{Vendor: VendorHikvision, Host: "h", Channel: 1, Username: "a@b", Password: "p:/@?#%"},
			"rtsp://a%40b:p%3A%2F%40%3F%23%25@h:554/Streaming/Channels/101",
			"rtsp://a%40b:p%3A%2F%40%3F%23%25@h:554/Streaming/Channels/102"},
		// IPv6 hosts are bracketed; no credentials means no userinfo.
		{Camera{Vendor: VendorUniview, Host: "2001:db8::1", Channel: 1},
			"rtsp://[2001:db8::1]:554/unicast/c1/s0/live",
			"rtsp://[2001:db8::1]:554/unicast/c1/s1/live"},
		// Defaults apply even to a camera built in code.
		{Camera{Vendor: VendorDahua, Host: "h"},
			"rtsp://h:554/cam/realmonitor?channel=1&subtype=0",
			"rtsp://h:554/cam/realmonitor?channel=1&subtype=1"},
		// Every vendor with a port, a channel and credentials that need escaping.
		{Camera{Vendor: VendorHikvision, Host: "192.0.2.1", Port: 8554, Channel: 5, Username: "op@bjx", Password: "p@ss w:rd/1#?"},
			"rtsp://op%40bjx:p%40ss%20w%3Ard%2F1%23%3F@192.0.2.1:8554/Streaming/Channels/501",
			"rtsp://op%40bjx:p%40ss%20w%3Ard%2F1%23%3F@192.0.2.1:8554/Streaming/Channels/502"},
		{Camera{Vendor: VendorDahua, Host: "nvr.example", Port: 10554, Channel: 16, Username: "admin", Password: "a%b&c!"},
			"rtsp://admin:a%25b&c%21@nvr.example:10554/cam/realmonitor?channel=16&subtype=0",
			"rtsp://admin:a%25b&c%21@nvr.example:10554/cam/realmonitor?channel=16&subtype=1"},
		{Camera{Vendor: VendorUniview, Host: "2001:db8::2", Port: 5554, Channel: 7, Username: "u:x", Password: "p/q"},
			"rtsp://u%3Ax:p%2Fq@[2001:db8::2]:5554/unicast/c7/s0/live",
			"rtsp://u%3Ax:p%2Fq@[2001:db8::2]:5554/unicast/c7/s1/live"},
		{Camera{Vendor: VendorGeneric, Host: "192.0.2.9", Port: 8554, Channel: 3, Username: "user name", Password: "p@ss:w/d#",
			Path: "/live/ch{channel}/main", SubPath: "/live/ch{channel}/sub"},
			"rtsp://user%20name:p%40ss%3Aw%2Fd%23@192.0.2.9:8554/live/ch3/main",
			"rtsp://user%20name:p%40ss%3Aw%2Fd%23@192.0.2.9:8554/live/ch3/sub"},
		// Generic: {channel} may repeat and sit in a query; defaults apply;
		// no sub_path, no sub stream.
		{Camera{Vendor: VendorGeneric, Host: "cam.example", Path: "/h264/ch{channel}/main/av_stream?channel={channel}&x=1"},
			"rtsp://cam.example:554/h264/ch1/main/av_stream?channel=1&x=1", ""},
		// Generic: escapes written in the path are kept, not doubled; a
		// password alone still gives userinfo.
		{Camera{Vendor: VendorGeneric, Host: "h", Port: 554, Password: "pw", Path: "/my%20stream", SubPath: "/my stream/sub"},
			"rtsp://:pw@h:554/my%20stream", "rtsp://:pw@h:554/my%20stream/sub"},
		// Generic: url wins over host (Validate refuses both together).
		{Camera{Vendor: VendorGeneric, URL: "rtsp://h/g", Host: "h2", Path: "/p"}, "rtsp://h/g", ""},
		// No URL from a path that would change the host, or an unknown vendor.
		{Camera{Vendor: VendorGeneric, Host: "h", Path: "//evil/x", SubPath: "rel"}, "", ""},
		{Camera{Vendor: VendorGeneric, Host: "h"}, "", ""},
		{Camera{Vendor: "axis", Host: "h"}, "", ""},
		{Camera{URL: "rtsp://h/main", SubURL: "rtsp://h/sub"}, "rtsp://h/main", "rtsp://h/sub"},
		{Camera{URL: "rtsp://h/main"}, "rtsp://h/main", ""},
		{Camera{Vendor: VendorGeneric, URL: "rtsp://h/g"}, "rtsp://h/g", ""},
	}
	for _, tt := range tests {
		if got := tt.cam.MainURL(); got != tt.main {
			t.Errorf("%+v MainURL\n got %s\nwant %s", tt.cam, got, tt.main)
		}
		if got := tt.cam.SubStreamURL(); got != tt.sub {
			t.Errorf("%+v SubStreamURL\n got %s\nwant %s", tt.cam, got, tt.sub)
		}
	}
}

func TestVendorURLsParseBack(t *testing.T) {
	t.Parallel()
	// A built URL must validate like a hand-written one.
	for _, cam := range []Camera{
		{ID: "c", Vendor: VendorDahua, Host: "h", Port: 554, Channel: 1, Username: "u", Password: "p w/?", Transport: "auto"},
		{ID: "c", Vendor: VendorGeneric, Host: "h", Port: 554, Channel: 2, Username: "u", Password: "p w/?", Transport: "auto",
			Path: "/a b/{channel}?q=1", SubPath: "/s%20{channel}"},
	} {
		k := &checker{}
		k.camera("x", cam)
		k.rtspURL("x", cam.MainURL())
		k.rtspURL("x", cam.SubStreamURL())
		if len(k.errs) != 0 {
			t.Fatal(k.errs)
		}
	}
}
