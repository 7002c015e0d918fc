package config

import (
	"strings"
	"testing"
)

func TestVendorURLs(t *testing.T) {
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
	// A built URL must validate like a hand-written one.
	cam := Camera{ID: "c", Vendor: VendorDahua, Host: "h", Port: 554, Channel: 1, Username: "u", Password: "p w/?", Transport: "auto"}
	k := &checker{}
	k.rtspURL("x", cam.MainURL())
	k.rtspURL("x", cam.SubStreamURL())
	if len(k.errs) != 0 {
		t.Fatal(k.errs)
	}
}

func TestRedacted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rtsp://admin:secret@192.0.2.1:554/Streaming/Channels/101", "rtsp://192.0.2.1:554/Streaming/Channels/101"},
		{"rtsp://192.0.2.1/live", "rtsp://192.0.2.1/live"},
		{"rtsp://h/cam/realmonitor?channel=1&subtype=0", "rtsp://h/cam/realmonitor?channel=1&subtype=0"},
		{"rtsp://h/live?user=admin&Password=secret&ch=1", "rtsp://h/live?Password=xxxxx&ch=1&user=xxxxx"},
		{"rtsp://admin:sec ret@h:99x/", "rtsp://<invalid>"},
		{"admin:secret@%zz", "admin:<redacted>"},
		{"rtsp://a:b@h\x7f/", "rtsp://<invalid>"},
		{"admin:secret@h", "admin:<redacted>"},
	}
	for _, tt := range tests {
		got := Redacted(tt.in)
		if got != tt.want {
			t.Errorf("Redacted(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "secret") || strings.Contains(got, "admin@") {
			t.Errorf("Redacted(%q) leaks credentials: %q", tt.in, got)
		}
	}
}
