package redact

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Secrets are the literal credentials of one camera, in every form a camera
// may quote them: as configured, query-escaped, path-escaped and as written
// in a URL's userinfo. The zero value holds none.
type Secrets struct {
	forms []string // longest first, so a secret inside another is not half-masked
}

// Collect gathers the credentials of the camera's URLs: userinfo, and the
// values of credential parameters in path and query.
func Collect(urls ...string) Secrets {
	var s Secrets
	for _, raw := range urls {
		s = s.With(credentialsOf(raw)...)
	}
	return s
}

// With returns s plus values (e.g. a username and password configured apart
// from the URL). Empty values are ignored.
func (s Secrets) With(values ...string) Secrets {
	var add []string
	for _, v := range values {
		if v == "" {
			continue
		}
		user := url.User(v).String()
		pass := strings.TrimPrefix(url.UserPassword("", v).String(), ":")
		add = append(add, v, url.QueryEscape(v), url.PathEscape(v), user, pass)
	}
	return s.Merge(Secrets{forms: add})
}

// Merge returns the forms of s and o together.
func (s Secrets) Merge(o Secrets) Secrets {
	forms := slices.Clone(s.forms)
	for _, f := range o.forms {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return Secrets{forms: forms}
}

// urlInText finds URLs in free text: a scheme, "://" and everything up to
// the next space or quote.
var urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'`<>]+")

// Text cleans a text the camera is the source of (an RTSP status reason, an
// error quoting its SDP, a tool's message about its stream) before it is
// stored, logged or shown: every URL in it goes through URL, every form of
// the camera's credentials is masked, and so is the value of any
// credential parameter (pwd=…) written outside a URL.
func (s Secrets) Text(text string) string {
	text = urlInText.ReplaceAllStringFunc(text, URL)
	for _, f := range s.forms {
		text = strings.ReplaceAll(text, f, Mask)
	}
	return Params(text)
}

// Message cleans a camera's text for any user to read: as Text, and every
// URL is replaced by "<url>", since even a redacted URL names the camera's
// address.
func (s Secrets) Message(text string) string {
	return urlInText.ReplaceAllString(s.Text(text), "<url>")
}

// credentialsOf returns the decoded credential values of one URL.
func credentialsOf(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	var out []string
	if u.User != nil {
		out = append(out, u.User.Username())
		if p, ok := u.User.Password(); ok {
			// Also as a Basic Authorization header a camera may echo.
			out = append(out, p, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+p)))
		}
	}
	out = append(out, paramValues(u.EscapedPath(), pathStops)...)
	return append(out, paramValues(u.RawQuery, queryStops)...)
}

// paramValues returns the values of the credential parameters of s, as
// written and decoded.
func paramValues(s, stops string) []string {
	var out []string
	for _, sp := range credentialSpans(s, stops) {
		v := s[sp[0]:sp[1]]
		out = append(out, v)
		if d, err := url.PathUnescape(v); err == nil {
			out = append(out, d)
		}
		if d, err := url.QueryUnescape(v); err == nil {
			out = append(out, d)
		}
	}
	return out
}
