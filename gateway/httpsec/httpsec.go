// Package httpsec holds the security headers every answer of the gateway
// carries, the console page and the API alike, so the two cannot drift
// apart: the API server sets them on every response, and the console's
// handler sets them on its page so it is safe when mounted on its own too.
package httpsec

import "net/http"

// ContentSecurityPolicy allows only same-origin scripts, styles and data:
// no inline script, no eval. form-action is listed because it does not fall
// back to default-src. WebRTC media is not subject to connect-src.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// headers are set on every answer. Frames, sniffing, referrers, foreign
// openers and embedders, and powerful browser features are all refused.
var headers = [][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Cross-Origin-Resource-Policy", "same-origin"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"},
}

// Set sets the security headers on h, replacing any earlier values.
func Set(h http.Header) {
	for _, kv := range headers {
		h.Set(kv[0], kv[1])
	}
}
