package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"userinfo", "rtsp://admin:secret@192.0.2.1:554/Streaming/Channels/101",
			"rtsp://***@192.0.2.1:554/Streaming/Channels/101"},
		{"user only", "rtsp://admin@h/live", "rtsp://***@h/live"},
		{"no credentials", "rtsp://192.0.2.1/live", "rtsp://192.0.2.1/live"},
		{"harmless query kept in order", "rtsp://h/cam/realmonitor?channel=1&subtype=0",
			"rtsp://h/cam/realmonitor?channel=1&subtype=0"},
		{"query", "rtsp://h/live?user=admin&Password=secret&ch=1", "rtsp://h/live?user=***&Password=***&ch=1"},
		{"query slash in value", "rtsp://h/live?pwd=se/cret&ch=1", "rtsp://h/live?pwd=***&ch=1"},
		{"query ; separated", "rtsp://h/live?channel=1;passwd=secret;token=t0k", "rtsp://h/live?channel=1;passwd=***;token=***"},
		{"escaped key", "rtsp://h/live?pass%77ord=secret", "rtsp://h/live?pass%77ord=***"},
		{"compound key", "rtsp://h/live?api_key=secret&access-token=secret", "rtsp://h/live?api_key=***&access-token=***"},
		{"xmeye path", "rtsp://h:554/user=admin&password=secret&channel=1&stream=0.sdp",
			"rtsp://h:554/user=***&password=***&channel=1&stream=0.sdp"},
		{"path ; params", "rtsp://h/live;USERNAME=admin;PWD=secret/ch1", "rtsp://h/live;USERNAME=***;PWD=***/ch1"},
		{"escaped value in path", "rtsp://h/user=ad%20min&pass=s%2Fcret&channel=1", "rtsp://h/user=***&pass=***&channel=1"},
		{"all three", "rtsp://a:b@h/auth=secret?key=secret#pwd=secret", "rtsp://***@h/auth=***?key=***#pwd=***"},
		{"empty value", "rtsp://h/live?password=&ch=1", "rtsp://h/live?password=&ch=1"},
		{"path escapes kept", "rtsp://h/a%20b/c?x=1", "rtsp://h/a%20b/c?x=1"},
		{"unparseable", "rtsp://admin:sec ret@h:99x/", "rtsp://<invalid>"},
		{"unparseable no scheme", "admin:secret@%zz", "<invalid>"},
		{"control character", "rtsp://a:b@h\x7f/", "rtsp://<invalid>"},
		{"opaque", "admin:secret@h", "<invalid>"},
		{"relative", "/user=admin&password=secret", "/user=***&password=***"},
		{"key after an escaped space", "rtsp://h/a%20password=secret/ch1", "rtsp://h/a%20password=***/ch1"},
		{"key=value string", "host=db password=secret user=vigil", "host=db%20password=***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := URL(tt.in)
			if got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "admin") {
				t.Errorf("URL(%q) leaks credentials: %q", tt.in, got)
			}
		})
	}
}

func TestIsCredentialKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"user", "USER", "Username", "pass", "password", "pwd", "passwd", "token",
		"auth", "key", "secret", "api_key", "x-Token", "%70wd", "db%20password", "db password", "x:pwd"} {
		if !IsCredentialKey(k) {
			t.Errorf("%q is not taken for a credential key", k)
		}
	}
	for _, k := range []string{"", "channel", "subtype", "stream", "users", "keyframe", "author"} {
		if IsCredentialKey(k) {
			t.Errorf("%q is taken for a credential key", k)
		}
	}
}
