package redact

import (
	"net/url"
	"strings"
	"testing"
)

// buildCameraURL places user and pass where cameras take them, escaped as a
// camera's URL would escape them: form picks the place and the key names.
func buildCameraURL(user, pass, path string, form uint8) string {
	key := func(n uint8) string {
		k := credentialWords[int(n)%len(credentialWords)]
		if n&0x80 != 0 {
			k = strings.ToUpper(k)
		}
		return k
	}
	p := (&url.URL{Path: "/" + path}).EscapedPath()
	q := url.QueryEscape
	switch form % 4 {
	case 0: // userinfo
		return "rtsp://" + url.UserPassword(user, pass).String() + "@192.0.2.1:554" + p
	case 1: // query
		return "rtsp://192.0.2.1" + p + "?channel=1&" + key(form) + "=" + q(user) + "&" + key(form+3) + "=" + q(pass)
	case 2: // XMEye: in the path
		return "rtsp://192.0.2.1:554/" + key(form) + "=" + q(user) + "&" + key(form+3) + "=" + q(pass) + "&channel=1&stream=0.sdp"
	default: // ;-separated path parameters
		return "rtsp://192.0.2.1" + p + ";" + key(form) + "=" + q(user) + ";" + key(form+3) + "=" + q(pass)
	}
}

// leaks returns the form of secret that out still shows, or "". A form the
// URL would show even with an empty secret (a secret such as "rtsp") is not
// the redactor's to hide, nor is one that the mask itself spells.
func leaks(out, secret, skeleton string) string {
	if secret == "" || strings.Contains(secret, "*") {
		return ""
	}
	for _, f := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		if strings.Contains(out, f) && !strings.Contains(skeleton, f) {
			return f
		}
	}
	return ""
}

func FuzzURL(f *testing.F) {
	f.Add("admin", "secret", "Streaming/Channels/101", uint8(0))
	f.Add("admin", "p&ss=w0rd;x", "live", uint8(1))
	f.Add("admin", "se/cret", "", uint8(2))
	f.Add("ad min", "sécret%", "a b/c", uint8(0x83))
	f.Add("admin", "secret", "a b password=x/ch1", uint8(2))
	f.Fuzz(func(t *testing.T, user, pass, path string, form uint8) {
		in := buildCameraURL(user, pass, path, form)
		skeleton := buildCameraURL("", "", path, form)
		out := URL(in)
		for _, secret := range []string{user, pass} {
			if f := leaks(out, secret, skeleton); f != "" {
				t.Fatalf("URL(%q) = %q shows %q", in, out, f)
			}
		}
		if again := URL(out); again != out && out != "rtsp://<invalid>" {
			t.Fatalf("URL is not stable: %q, then %q", out, again)
		}
	})
}

func FuzzSecretsText(f *testing.F) {
	f.Add("500 Internal Error for rtsp://admin:secret@h/?pwd=secret", "admin", "secret", uint8(0))
	f.Add("user=admin&password=secret", "admin", "secret", uint8(2))
	f.Add("bad SDP line: a=control:rtsp://h/user=u&pass=p%2F", "u", "p/", uint8(3))
	f.Add(`login failed: password='se cret' user="ad min"`, "ad min", "se cret", uint8(1))
	f.Fuzz(func(t *testing.T, text, user, pass string, form uint8) {
		cam := buildCameraURL(user, pass, "live", form)
		out := Collect(cam).Text(text + " " + cam)
		for _, secret := range []string{user, pass} {
			if f := leaks(out, secret, ""); f != "" {
				t.Fatalf("Text(%q) with the credentials of %q = %q shows %q", text, cam, out, f)
			}
		}
	})
}
