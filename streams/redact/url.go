// Package redact keeps camera credentials out of logs, API answers and audit
// lines. It holds the one rule for URLs (userinfo, query and path parameters
// that carry credentials) and the one rule for texts a camera wrote, which
// may quote its URL or its credentials in any form.
//
// It imports nothing of the project, so both streams and gateway use it.
package redact

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces every credential.
const Mask = "***"

// credentialWords name the parameters cameras take credentials in, in the
// query (Dahua, many NVRs) or in the path (XMEye:
// /user=admin&password=secret&channel=1&stream=0.sdp).
var credentialWords = []string{"user", "username", "pass", "password", "pwd", "passwd", "token", "auth", "key", "secret"}

// IsCredentialKey reports whether a parameter name carries a credential:
// one of the credential words, case-insensitive, escaped or not, alone or as
// the last part of a compound name (api_key, access-token).
func IsCredentialKey(key string) bool {
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	// The last word: after a separator, escaped or not ("api_key",
	// "access-token", "db%20password" in a path).
	if i := strings.LastIndexFunc(key, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); i >= 0 {
		_, size := utf8.DecodeRuneInString(key[i:])
		key = key[i+size:]
	}
	for _, w := range credentialWords {
		if strings.EqualFold(key, w) {
			return true
		}
	}
	return false
}

// The characters that end a parameter's value: in a query a "/" is part of
// the value, in a path it starts the next segment; free text ends a value
// only at a separator, a space or a quote (masking too much is harmless,
// too little is not).
const (
	queryStops = "&;#"
	pathStops  = "&;/?#"
	textStops  = "&; \t\r\n\"'`<>"
)

// URL returns raw with every credential masked: the userinfo, and the values
// of credential parameters in the path, the query and the fragment, whether
// separated by & or by ;. Everything else is kept as written. A URL that
// does not parse is reduced to its scheme, since it may hold anything.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if scheme, _, ok := strings.Cut(raw, "://"); ok && scheme != "" && !strings.ContainsAny(scheme, "@:/ ") {
			return scheme + "://<invalid>"
		}
		return "<invalid>"
	}
	if u.Opaque != "" { // "admin:secret@host": no URL at all, and all of it may be secret
		return "<invalid>"
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Host != "" || u.User != nil {
		b.WriteString("//")
		if u.User != nil {
			b.WriteString(Mask + "@")
		}
		b.WriteString(u.Host)
	}
	b.WriteString(maskParams(u.EscapedPath(), pathStops))
	if u.ForceQuery || u.RawQuery != "" {
		b.WriteString("?" + maskParams(u.RawQuery, queryStops))
	}
	if u.Fragment != "" {
		b.WriteString("#" + maskParams(u.EscapedFragment(), queryStops))
	}
	return b.String()
}

// Params masks the values of credential parameters (pwd=…) in a text that
// is not a URL as a whole: a URL's path alone, a log line, a camera's words.
func Params(text string) string {
	return maskParams(text, textStops)
}

// maskParams masks the value of every credential parameter of s.
func maskParams(s string, stops string) string {
	spans := credentialSpans(s, stops)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0 // s[:last] is written
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Mask)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// credentialSpans returns where the values of the credential parameters
// (key=value with a credential key) of s start and end; a value runs from
// the "=" to the next of stops, or is quoted. Empty values hide nothing
// and are skipped.
func credentialSpans(s string, stops string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(s); i++ {
		if s[i] != '=' || !IsCredentialKey(keyBefore(s, i)) {
			continue
		}
		start, end := i+1, i+1
		if q := quoteAt(s, start); q != 0 {
			// A quoted value (password='se cret', in a camera's words)
			// runs to its closing quote, stops and all; unclosed, to
			// the end.
			start++
			end = strings.IndexByte(s[start:], q)
			if end < 0 {
				end = len(s)
			} else {
				end += start
			}
		} else {
			for end < len(s) && !strings.ContainsRune(stops, rune(s[end])) {
				end++
			}
		}
		if end > start {
			spans = append(spans, [2]int{start, end})
		}
		i = max(end-1, i)
	}
	return spans
}

// quoteAt returns the quote that opens a value at s[i], or 0.
func quoteAt(s string, i int) byte {
	if i < len(s) && strings.IndexByte("'\"`", s[i]) >= 0 {
		return s[i]
	}
	return 0
}

// keyBefore returns the parameter name that ends at s[i]: the run of name
// characters (letters, digits, _ - . and % escapes) before it.
func keyBefore(s string, i int) string {
	start := i
	for start > 0 && isKeyChar(s[start-1]) {
		start--
	}
	return s[start:i]
}

func isKeyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-.%", c) >= 0
}
