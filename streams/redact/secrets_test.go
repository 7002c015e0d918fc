package redact

import (
	"strings"
	"testing"
)

func TestSecretsText(t *testing.T) {
	t.Parallel()
	cam := "rtsp://admin:p%40ss%20w0rd@192.0.2.7:554/user=xmuser&password=x%2Fpw&channel=1?token=t0k3n"
	s := Collect(cam, "rtsp://sub:subpass@192.0.2.7/sub").With("cfgpass")
	tests := []struct{ name, in, want string }{
		{"status reason with the URL", "500 Internal Error for " + cam,
			"500 Internal Error for rtsp://***@192.0.2.7:554/user=***&password=***&channel=1?token=***"},
		{"plain password", "wrong password p@ss w0rd for admin", "wrong password *** for ***"},
		{"escaped forms", "p%40ss%20w0rd p%40ss+w0rd x/pw x%2Fpw", "*** *** *** ***"},
		{"other stream and config", "subpass cfgpass", "*** ***"},
		{"basic auth echoed", "Authorization: Basic YWRtaW46cEBzcyB3MHJk", "Authorization: Basic ***"},
		{"bare parameters", "bad request: user=someone&pwd=guess; retry", "bad request: user=***&pwd=***; retry"},
		{"quoted values", `login failed: password='se cret' user="ad min" ok`, `login failed: password='***' user="***" ok`},
		{"unclosed quote", "password='se cret", "password='***"},
		{"foreign URL", "see rtsp://u:v@other/x?password=y.", "see rtsp://***@other/x?password=***"},
		{"nothing to hide", "camera answered RTSP 503 Service Unavailable", "camera answered RTSP 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := s.Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSecretsMessage(t *testing.T) {
	t.Parallel()
	s := Collect("rtsp://admin:secret@192.0.2.7/live")
	in := "Internal Error for rtsp://admin:secret@192.0.2.7/live?pwd=secret (user admin, pass secret)"
	if got, want := s.Message(in), "Internal Error for <url> (user ***, pass ***)"; got != want {
		t.Errorf("Message(%q) = %q, want %q", in, got, want)
	}
}

func TestSecretsCollect(t *testing.T) {
	t.Parallel()
	s := Collect("rtsp://admin:secret@h/user=xm&pass=pw1?key=k3y", "::bad", "")
	for _, v := range []string{"admin", "secret", "xm", "pw1", "k3y"} {
		if got := s.Text("<" + v + ">"); strings.Contains(got, v) {
			t.Errorf("%q not collected: %q", v, got)
		}
	}
	if got := (Secrets{}).With("", "").Text("abc"); got != "abc" {
		t.Errorf("empty values mask %q", got)
	}
	// A secret inside a longer one: the longer is masked whole.
	if got := (Secrets{}).With("pass", "password1").Text("password1"); got != Mask {
		t.Errorf("nested secrets: %q", got)
	}
}
