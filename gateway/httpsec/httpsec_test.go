package httpsec

import (
	"net/http"
	"strings"
	"testing"
)

func TestSetReplacesEarlierValues(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("Content-Security-Policy", "default-src *")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	Set(h)
	if got := h.Values("Content-Security-Policy"); len(got) != 1 || got[0] != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q", got)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestPolicyRefusesInlineAndForeignContent(t *testing.T) {
	t.Parallel()
	if strings.Contains(ContentSecurityPolicy, "unsafe") || strings.Contains(ContentSecurityPolicy, "*") {
		t.Errorf("policy allows unsafe or wildcard sources: %s", ContentSecurityPolicy)
	}
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'",
		"base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, d+";") && !strings.HasSuffix(ContentSecurityPolicy, d) {
			t.Errorf("policy lacks %q: %s", d, ContentSecurityPolicy)
		}
	}
}
